"""`tashkent events code|evaluate|ingest|list` and `tashkent nowcast`."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from tashkent.errors import UserError
from tashkent.terminal import Console

console = Console(highlight=False, soft_wrap=True)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; give a plain-text article or - for stdin") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder; give a plain-text article") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); save the article as UTF-8") from None


def _actor(a: object) -> str:
    from tashkent.events.model import Actor

    return a.label() if isinstance(a, Actor) else "—"


def register(app: typer.Typer) -> None:
    events_app = typer.Typer(
        help="Code news into events, evaluate the coder, import event data.", no_args_is_help=True
    )
    app.add_typer(events_app, name="events")

    @events_app.command("code")
    def code_cmd(
        file: Path = typer.Argument(..., help="Plain-text article, or - for standard input."),
        on: str | None = typer.Option(
            None,
            "--date",
            help="Date of the text, YYYY-MM-DD (resolves office holders by their dates in office).",
        ),
        lines: bool = typer.Option(
            False,
            "--lines",
            help="Each line is its own document (1, 2, …); a line may start with YYYY-MM-DD<TAB>.",
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per event (JSON Lines)."),
        actors: list[Path] = typer.Option([], "--actors", help="Extra actor dictionary (YAML)."),
        verbs: list[Path] = typer.Option([], "--verbs", help="Extra verb dictionary (YAML)."),
    ) -> None:
        """Code English news text into CAMEO events: who did what to whom."""
        from tashkent.events.coder import code_text
        from tashkent.events.dictionaries import load_dictionaries

        when = _date(on, "--date")
        dicts = load_dictionaries(actors, verbs)
        text = _read_text(file)
        docs: list[tuple[str, str, date | None]] = []
        if lines:
            for i, ln in enumerate(text.splitlines(), start=1):
                if not ln.strip():
                    continue
                head, tab, rest = ln.partition("\t")
                if tab and _DATE.fullmatch(head.strip()):  # "YYYY-MM-DD<TAB>text"
                    docs.append((str(i), rest, _date(head.strip(), f"{file}:{i}: date")))
                else:
                    docs.append((str(i), ln, when))
        else:
            docs.append((file.stem if str(file) != "-" else "1", text, when))
        events = [e for doc, t, d in docs for e in code_text(t, doc=doc, when=d, dicts=dicts)]
        if as_json:
            for e in events:
                typer.echo(json.dumps(e.to_json(), ensure_ascii=False))
            return
        from tashkent.events.taxonomy import describe

        for e in events:
            name = describe(e.cameo).name + (f" ({e.modality})" if e.modality else "")
            console.print(
                f"{e.doc}:{e.sentence:<3d} {_actor(e.source):8s} {e.cameo:4s} "
                f'{name[:38]:38s} → {_actor(e.target):8s} "{e.span}"',
                markup=False,
            )
        console.print(f"{len(events)} events")

    @events_app.command("evaluate")
    def evaluate_cmd(
        file: Path = typer.Argument(
            ..., help="Labelled sentences: the dev TSV (sentence, penta_class) or tashkent JSONL."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    ) -> None:
        """Score the coder: penta class, CAMEO root, source, target and triple P/R/F1."""
        from tashkent.events.evaluate import evaluate, read_labelled
        from tashkent.events.taxonomy import PENTA_NAMES

        rep = evaluate(read_labelled(file))
        d = rep.as_dict()
        if as_json:
            typer.echo(json.dumps(d, indent=2))
            return
        console.print(f"{file}: {rep.n} sentences, penta-class accuracy {rep.penta_accuracy:.3f}")
        t = Table(title="penta class")
        for col in ("class", "precision", "recall", "F1", "n"):
            t.add_column(col)
        for k, p in enumerate(rep.per_class()):
            t.add_row(
                f"{k} {PENTA_NAMES[k]}",
                f"{p.precision:.3f}",
                f"{p.recall:.3f}",
                f"{p.f1:.3f}",
                str(p.tp + p.fn),
            )
        console.print(t)
        cm = Table(title="confusion (rows gold, columns predicted)")
        cm.add_column("gold")
        for k in range(5):
            cm.add_column(str(k))
        cm.add_column("none")
        for k in range(5):
            cm.add_row(str(k), *[str(x) for x in rep.confusion[k]])
        console.print(cm)
        if rep.has_actors:
            console.print(f"CAMEO root accuracy {d['root_accuracy']:.3f}")
            for key in ("source", "target", "triple"):
                s = d[key]
                console.print(f"{key:7s} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")

    @events_app.command("ingest")
    def ingest_cmd(
        files: list[Path] = typer.Argument(
            ..., help="Event files (GDELT, ICEWS, POLECAT, coded JSONL); .zip accepted."
        ),
        fmt: str = typer.Option("auto", "--format", help="gdelt1|gdelt2|icews|polecat|jsonl|auto"),
        actors: str | None = typer.Option(
            None, "--actors", help="Keep rows with one of these actors, e.g. IND,PAK."
        ),
        since: str | None = typer.Option(None, "--since", help="Keep rows on or after YYYY-MM-DD."),
        until: str | None = typer.Option(None, "--until", help="Keep rows up to YYYY-MM-DD."),
        db: str | None = typer.Option(None, "--db", help="Database URL or SQLite file."),
    ) -> None:
        """Import event files into the event store (streaming, idempotent)."""
        from tashkent.events.importers import Filter, ingest
        from tashkent.events.store import EventStore

        flt = Filter(
            frozenset(a.strip().upper() for a in actors.split(",") if a.strip()) if actors else None,
            _date(since, "--since"),
            _date(until, "--until"),
        )
        store = EventStore(db)
        for f in files:
            st = ingest(f, store, fmt, flt)
            msg = (
                f"{f}: {st.format}, {st.rows_read} rows read, {st.rows_added} added, "
                f"{st.rows_filtered} filtered out, {st.rows_malformed} malformed"
            )
            if st.malformed_lines:
                more = "…" if st.rows_malformed > len(st.malformed_lines) else ""
                msg += f" (lines {', '.join(map(str, st.malformed_lines))}{more})"
            console.print(msg, markup=False)
            for reason in st.malformed_reasons[:5]:
                console.print(f"  {f}:{reason}", markup=False)

    @events_app.command("list")
    def list_cmd(
        dyad: str | None = typer.Option(None, "--dyad", help="Two actor codes, e.g. IND-PAK."),
        since: str | None = typer.Option(None, "--since", help="From YYYY-MM-DD."),
        until: str | None = typer.Option(None, "--until", help="Up to YYYY-MM-DD."),
        limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="At most this many events."),
        db: str | None = typer.Option(None, "--db", help="Database URL or SQLite file."),
        as_json: bool = typer.Option(False, "--json", help="JSON Lines output."),
    ) -> None:
        """List stored events, oldest first."""
        from tashkent.events.store import EventStore

        pair: tuple[str, str] | None = None
        if dyad:
            parts = dyad.upper().split("-")
            if len(parts) != 2 or not all(parts):
                raise UserError(f"--dyad {dyad!r}: give two actor codes like IND-PAK")
            pair = (parts[0], parts[1])
        rows = EventStore(db).query(pair, _date(since, "--since"), _date(until, "--until"), limit)
        if as_json:
            for r in rows:
                typer.echo(
                    json.dumps(
                        {"key": r.key, "dataset": r.dataset, **r.event.to_json()},
                        ensure_ascii=False,
                    )
                )
            return
        for r in rows:
            e = r.event
            console.print(
                f"{e.date}  {r.dataset:8s} {_actor(e.source):8s} {e.cameo:4s} → "
                f"{_actor(e.target):8s} {e.goldstein:+5.1f}  {r.ref or ''}",
                markup=False,
            )
        console.print(f"{len(rows)} events")

    @app.command("nowcast")
    def nowcast_cmd(
        events: list[Path] = typer.Option(
            [],
            "--events",
            help="Event file (coded JSONL or an importer format); repeat for several.",
        ),
        from_store: bool = typer.Option(False, "--from-store", help="Use the event store."),
        as_of: str | None = typer.Option(
            None, "--as-of", help="As-of date YYYY-MM-DD (default: the latest event)."
        ),
        db: str | None = typer.Option(None, "--db", help="Database URL or SQLite file."),
        as_json: bool = typer.Option(False, "--json", help="Print state and evidence as JSON."),
        series: bool = typer.Option(
            False, "--series", help="Also print the daily India–Pakistan Goldstein series."
        ),
    ) -> None:
        """Infer the model's initial state from events, with the evidence for each value."""
        from tashkent.events.nowcast import initial_state_overlay

        nc = initial_state_overlay(events or None, from_store, _date(as_of, "--as-of"), db)
        if as_json:
            out = nc.to_json()
            if series:
                out["series"] = [
                    {
                        "date": str(d),
                        **{k: (float(v) if k == "goldstein" else int(v)) for k, v in row.items()},
                    }
                    for d, row in nc.series.iterrows()
                ]
            typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
            return
        for key, value in nc.state.items():
            console.print(f"{key}: {json.dumps(value)}", markup=False)
            for ev in nc.evidence.get(key, [])[:4]:
                txt = ev["text"][:90] + ("…" if len(ev["text"]) > 90 else "")
                console.print(
                    f"    {ev['date']} {ev['cameo']} {ev['source'] or '—'}→{ev['target'] or '—'} "
                    f"[{ev['doc']}:{ev['sentence']}] {txt}",
                    markup=False,
                )
        if series:
            console.print("daily IND–PAK series: date, events, Goldstein sum, quad 1/2/3/4")
            for d, row in nc.series.iterrows():
                console.print(
                    f"    {d}  {int(row['events']):3d}  {row['goldstein']:+7.1f}  "
                    f"{int(row['quad1'])}/{int(row['quad2'])}/{int(row['quad3'])}/"
                    f"{int(row['quad4'])}",
                    markup=False,
                )
