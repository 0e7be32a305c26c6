"""`tashkent scenario list | show NAME | validate FILE | export NAME`. The scenario loader (pydantic,
numpy, scipy) is imported when a command runs, not when the command line is assembled."""

from __future__ import annotations

import typer
from rich.table import Table

from tashkent.terminal import Console

scenario_app = typer.Typer(help="List, show, validate and export scenario files.", no_args_is_help=True)
console = Console(highlight=False)


@scenario_app.command("list")
def list_() -> None:
    """List the built-in scenarios."""
    from tashkent.scenario.load import builtin_names, load_scenario

    table = Table("name", "start", "title")
    for name in builtin_names():
        s = load_scenario(name)
        table.add_row(name, s.start_date.isoformat(), s.title)
    console.print(table)


@scenario_app.command("show")
def show(name: str = typer.Argument(..., help="Built-in name or path to a YAML file.")) -> None:
    """Summarise a scenario: actors, process, initial state, declared levers and parameters with
    sources."""
    from tashkent.scenario.load import load_scenario

    s = load_scenario(name)
    console.print(
        f"[bold]{s.name}[/bold] — {s.title}\nstart {s.start_date}; parties {s.parties[0]}–{s.parties[1]}\n"
    )
    actors = Table("id", "name", "roles", "nuclear", "bias", "leverage", "style", title="Actors")
    for a in s.actors:
        bias = ", ".join(f"{k} {v:+.2f}" for k, v in a.bias.items())
        actors.add_row(
            a.id,
            a.name,
            ", ".join(a.roles),
            "yes" if a.nuclear else "",
            bias,
            f"{a.leverage:.2f}" if a.leverage else "",
            a.style or "",
        )
    console.print(actors)
    phases = Table("phase", "name", "track", "needs", "median days", title="Process")
    for ph in s.process.phases:
        phases.add_row(
            str(ph.id), ph.name, ph.track, ", ".join(ph.requires_acceptance), f"{ph.median_days.value:g}"
        )
    console.print(phases)
    st = s.initial_state
    console.print(
        f"Initial state: rung {st.rung}, crisis {'active' if st.crisis_active else 'none'}, "
        f"trust {st.trust:.2f}, phase {st.phase}, offers {', '.join(st.offers) or 'none'}"
    )
    nuclear = [p for p in s.parties if s.actor(p).nuclear]
    undeterred = " (no nuclear signalling or use: the dyad is not mutually deterred)"
    console.print(
        f"Crisis: spoilers strike {s.spoiler_target()} from {s.spoiler_base()}; "
        f"nuclear-armed: {', '.join(nuclear) or 'neither'}"
        f"{undeterred if len(nuclear) < 2 else ''}; "
        f"cross-border restraint doctrine {'on' if s.doctrine.cross_border_restraint else 'off'}\n"
    )
    if s.levers:
        levers = Table(
            "actor",
            "lever",
            "options (* as written)",
            "sets",
            title="Levers (tashkent robust/discover)",
        )
        for lv in s.levers:
            default = lv.default_option()
            levers.add_row(
                lv.actor,
                f"{lv.id}: {lv.name}",
                ", ".join(o.id + ("*" if o.id == default else "") for o in lv.options),
                "; ".join(sorted({path for o in lv.options for path in o.set})),
            )
        console.print(levers)
    params = Table("parameter", "value", "prior", "source", title="Parameters", show_lines=False)
    for key, p in s.parameters.items():
        prior = (
            p.prior.dist
            if p.prior.dist == "fixed"
            else ", ".join(
                f"{k}={v:g}" for k, v in p.prior.model_dump(exclude_none=True).items() if k != "dist"
            )
        )
        params.add_row(
            key,
            f"{p.value:g}",
            f"{p.prior.dist}({prior})" if p.prior.dist != "fixed" else "fixed",
            p.source if len(p.source) < 90 else p.source[:87] + "...",
        )
    console.print(params)


@scenario_app.command("validate")
def validate(path: str = typer.Argument(..., help="Scenario YAML file (or built-in name).")) -> None:
    """Validate a scenario file: exit 0 and say so, or print one line naming the problem (exit 2)."""
    from tashkent.bargain.link import bargaining_overrides
    from tashkent.scenario.load import load_scenario
    from tashkent.sim.ensemble import preflight

    s = load_scenario(path)
    preflight(s)
    bargaining_overrides(s)
    typer.echo(
        f"{path}: ok ({len(s.actors)} actors, {len(s.parameters)} parameters, {len(s.schedule)} dated events)"
    )


@scenario_app.command("export")
def export(name: str = typer.Argument(..., help="Built-in scenario to copy.")) -> None:
    """Print a built-in scenario's YAML to start your own: `tashkent scenario export NAME > my.yaml`."""
    from tashkent.scenario.load import builtin_text

    typer.echo(builtin_text(name), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
