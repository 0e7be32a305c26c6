"""Robust choice among an actor's strategies (combinations of its levers): every strategy is run
across one shared Latin-hypercube sample of the uncertainties (common random numbers too), and
strategies are ranked by regret (Savage): in each sampled future, a strategy's regret on an
outcome is how far it falls short of the best strategy in that future; summed over the chosen
outcomes (all probabilities, so in probability points), its largest value across futures is the
minimax-regret criterion (ties go to the strategy with fewer changes from the scenario as
written). With `requirements` (e.g. mediation >= 0.3), strategies are ranked first
by the share of futures in which they meet all of them (satisficing, Simon), then by regret.

For each strategy the result also says where it fails: its worst tenth of futures, what it gives
up there against the best strategy on each outcome, and the uncertainty whose values most set
those futures apart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from tashkent.errors import UserError
from tashkent.explore.design import latin_hypercube, strategy_sample
from tashkent.explore.model import (
    analysis_uncertainties,
    apply_strategy,
    levers,
    outcome,
    outcome_values,
    strategy_label,
)
from tashkent.explore.runner import (
    Execution,
    ExperimentSet,
    Progress,
    check_runs,
    link_overrides_all,
    run_experiments,
)
from tashkent.scenario.schema import Scenario

DEFAULT_OUTCOMES = ("mediation", "phase_ge_1", "rung_ge_5")
_REQ = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(>=|<=)\s*([0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class Settings:
    scenarios: int = 24
    max_strategies: int = 96
    runs_per_experiment: int = 100
    days: int = 365
    seed: int = 20251120
    worst_share: float = 0.1


def parse_requirement(text: str) -> tuple[str, str, float]:
    m = _REQ.match(text)
    if not m:
        raise UserError(f"--require {text!r}: expected OUTCOME>=VALUE or OUTCOME<=VALUE, e.g. mediation>=0.3")
    value = float(m.group(3))
    if not np.isfinite(value):
        raise UserError(f"--require {text!r}: the threshold must be a finite number")
    return m.group(1), m.group(2), value


def robust(
    scenario: Scenario,
    actor: str,
    outcome_names: tuple[str, ...] | list[str] = DEFAULT_OUTCOMES,
    requirements: list[str] | None = None,
    settings: Settings = Settings(),
    execution: Execution = Execution(),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Rank the actor's strategies across a shared sample of futures (see the module doc)."""
    outs = [outcome(scenario, n) for n in outcome_names]
    if not outs:
        raise UserError("--outcome: give at least one outcome to judge strategies by")
    reqs = [parse_requirement(r) for r in requirements or []]
    for name, _, _ in reqs:
        outcome(scenario, name)
    lvs = levers(scenario, actor)
    strats = strategy_sample(lvs, settings.max_strategies, settings.seed)
    if settings.scenarios < 4:
        raise UserError(f"--scenarios {settings.scenarios}: need at least 4 sampled futures")
    check_runs(settings.runs_per_experiment, settings.days, execution)
    scenarios = [apply_strategy(scenario, strat) for strat in strats]
    links = link_overrides_all([scenario, *scenarios], execution)
    unc, held = analysis_uncertainties(scenario, lvs, links[0])
    u, values = latin_hypercube(unc, settings.scenarios, settings.seed)
    sets = [ExperimentSet(f"s{i}", sc, values, links[i + 1]) for i, sc in enumerate(scenarios)]
    cols = run_experiments(
        sets, settings.seed, settings.days, settings.runs_per_experiment, execution, progress
    )

    names = [o.name for o in outs]
    # value[o, s, e] of outcome o for strategy s in future e, and its "better" orientation
    value = np.stack([[outcome_values(o, cols[f"s{i}"][o.column]) for i in range(len(strats))] for o in outs])
    sign = np.array([1.0 if o.direction == "max" else -1.0 for o in outs])[:, None, None]
    good = value * sign
    regret_o = good.max(axis=1, keepdims=True) - good  # [o, s, e]
    regret = regret_o.sum(axis=0)  # [s, e]
    req_names = {n for n, _, _ in reqs}
    req_values = {
        n: outcome_values(
            outcome(scenario, n),
            np.stack([cols[f"s{i}"][outcome(scenario, n).column] for i in range(len(strats))]),
        )
        for n in req_names
    }
    meets = np.ones(regret.shape, dtype=bool)
    for n, op, thr in reqs:
        v = req_values[n]
        meets &= v >= thr if op == ">=" else v <= thr
    n_worst = max(1, round(settings.worst_share * settings.scenarios))
    rows: list[dict[str, Any]] = []
    for i, strat in enumerate(strats):
        worst = np.argsort(-regret[i], kind="stable")[:n_worst]
        rest = np.setdiff1d(np.arange(settings.scenarios), worst)
        # the uncertainty (varied under this strategy) whose prior quantiles differ most between the
        # worst futures and the others
        varied = np.array([x.name in sets[i].design_names() for x in unc])
        gap = np.where(varied, u[worst].mean(axis=0) - u[rest].mean(axis=0), 0.0)
        j = int(np.argmax(np.abs(gap)))
        rows.append(
            {
                "strategy": strat,
                "label": strategy_label(strat),
                "max_regret": float(regret[i].max()),
                "p90_regret": float(np.quantile(regret[i], 0.9)),
                "mean_regret": float(regret[i].mean()),
                "satisficing": float(meets[i].mean()) if reqs else None,
                "mean": {n: float(value[k, i].mean()) for k, n in enumerate(names)},
                "worst": {
                    "futures": int(n_worst),
                    "shortfall": {n: float(regret_o[k, i, worst].mean()) for k, n in enumerate(names)},
                    "values": {n: float(value[k, i, worst].mean()) for k, n in enumerate(names)},
                    "driver": {
                        "parameter": unc[j].name,
                        "quantile_worst": float(u[worst, j].mean()),
                        "quantile_other": float(u[rest, j].mean()),
                    },
                },
            }
        )
    # exact ties (a lever that changes nothing in these outcomes) go to the strategy that departs
    # least from the scenario as written, not to the first label in alphabetical order
    written = strats[0]
    changes = [sum(strat[k] != written[k] for k in strat) for strat in strats]
    order = sorted(
        range(len(rows)),
        key=lambda i: (
            -float(rows[i]["satisficing"] or 0.0),
            rows[i]["max_regret"],
            rows[i]["mean_regret"],
            changes[i],
            rows[i]["label"],
        ),
    )
    ranked = [dict(rows[i], rank=r + 1, as_written=(i == 0)) for r, i in enumerate(order)]
    return {
        "actor": actor,
        "criterion": "satisficing, then minimax regret" if reqs else "minimax regret",
        "outcomes": [{"name": o.name, "direction": o.direction} for o in outs],
        "requirements": [{"outcome": n, "op": op, "value": v} for n, op, v in reqs],
        "levers": [{"id": lv.id, "name": lv.name, "options": [o.id for o in lv.options]} for lv in lvs],
        "strategies": ranked,
        "details": {
            "scenario": scenario.name,
            "title": scenario.title,
            "futures": settings.scenarios,
            "strategies": len(strats),
            "all_strategies": int(np.prod([len(lv.options) for lv in lvs])),
            "runs": settings.scenarios * len(strats) * settings.runs_per_experiment,
            "runs_per_experiment": settings.runs_per_experiment,
            "days": settings.days,
            "seed": settings.seed,
            "fixed_by_link": sorted(links[0]),
            "fixed_by_levers": held,
        },
    }
