"""The India–Pakistan crisis record, 1947–2025: loading and validation.

The record is two CSV files shipped in the package (`history/data/`, documented in
`history/data/README.md`):

* `crises.csv` — one row per crisis (18 rows), the facts;
* `crisis_sources.csv` — long format `id,field,tag,reference`: where each fact comes from.

`load_crises()` parses both and checks them; any problem raises `UserError` naming the file, the
line, the column and the fix. Every non-blank fact column must have at least one source row.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from tashkent.errors import UserError
from tashkent.history.dyads import DEFAULT_DYAD, DYADS, Dyad
from tashkent.ladder import MAX_RUNG

TriggerType = Literal["attack", "state_military_action", "military_deployment", "political", "nuclear_test"]
TRIGGER_TYPES: tuple[str, ...] = (
    "attack",
    "state_military_action",
    "military_deployment",
    "political",
    "nuclear_test",
)
ERAS: tuple[str, ...] = ("pre_nuclear", "opaque_nuclear", "overt_nuclear", "asymmetric_nuclear")
NUCLEAR_SIGNAL: tuple[str, ...] = ("yes", "no", "contested")
MEDIATOR_TYPES: tuple[str, ...] = ("igo", "regional_org", "single_state", "group_of_states")
STYLES: tuple[str, ...] = ("facilitation", "formulation", "manipulation")
OUTCOME_FORMS: tuple[str, ...] = (
    "formal_agreement",
    "semi_formal_agreement",
    "tacit",
    "unilateral",
    "imposed",
    "faded",
    "stalemate",
)
SOURCE_TAGS: dict[str, str] = {
    "D": "read from a data file (ICB v15)",
    "H": "historical account: the fact with its check tag ([V: outlet] checked in that source, "
    "[K] standard account not re-checked, [U] contested)",
    "C": "computed from sourced dates",
    "J": "coder's judgement, with the rule stated",
    "N": "a public news report or official statement, named with its date",
}
#: The year the record treats as the start of the overt nuclear era (both states tested in 1998).
OVERT_NUCLEAR_YEAR = 1998

COLUMNS: tuple[str, ...] = (
    "id", "name", "icb_crisno", "trigger_date", "trigger_precision", "end_date", "end_precision",
    "trigger_type", "trigger_actor", "trigger_fatalities", "era", "both_nuclear",
    "icb_nuclear_ind", "icb_nuclear_pak", "rung_before", "rung_highest", "nuclear_signal",
    "response_lag_days", "duration_days", "kinetic_days", "icb_viol", "mediation_offered",
    "mediation_accepted", "mediation_occurred", "mediators", "mediator_type", "mediation_style",
    "mediation_start", "offered_by", "crisis_managers", "outcome_form", "outcome",
)  # fmt: skip
#: Columns renamed since an earlier release: old name -> new name. A record (or its sources file)
#: that still uses the old name is read under the new one.
RENAMED_COLUMNS: dict[str, str] = {"india_response_lag_days": "response_lag_days"}
#: Columns that are facts and so need a source whenever they are filled in.
SOURCED: tuple[str, ...] = tuple(c for c in COLUMNS if c not in ("id", "name", "icb_crisno", "outcome"))


@dataclass(frozen=True)
class Crisis:
    """One India–Pakistan crisis. Rungs are tashkent's conventional rungs 0–6; nuclear
    signalling is a separate yes/no/contested outcome."""

    id: int
    name: str
    icb_crisno: int | None
    trigger_date: dt.date  # first day of the month when the precision is "month"
    trigger_precision: str
    end_date: dt.date | None
    end_precision: str
    trigger_type: str
    trigger_actor: str
    trigger_fatalities: int | None
    era: str
    both_nuclear: bool
    icb_nuclear_ind: int | None
    icb_nuclear_pak: int | None
    rung_before: int
    rung_highest: int
    nuclear_signal: str
    response_lag_days: int | None  # the responding (struck or challenged) party's lag, ICB TRGRESRA
    duration_days: int | None
    kinetic_days: float | None
    icb_viol: int | None
    mediation_offered: bool
    mediation_accepted: bool
    mediation_occurred: bool
    mediators: tuple[str, ...]
    mediator_type: str | None
    mediation_style: str | None
    mediation_start: dt.date | None
    offered_by: tuple[str, ...]
    crisis_managers: tuple[str, ...]
    outcome_form: str
    outcome: str
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    dyad: str = DEFAULT_DYAD  # which record (tashkent.history.dyads) the crisis belongs to

    @property
    def year(self) -> int:
        return self.trigger_date.year

    @property
    def india_response_lag_days(self) -> int | None:
        """The former name of `response_lag_days` (in the India–Pakistan record, India's lag)."""
        return self.response_lag_days

    @property
    def nuclear_signal_binary(self) -> int | None:
        """1 for yes, 0 for no, None when contested (scored as missing)."""
        return {"yes": 1, "no": 0}.get(self.nuclear_signal)

    @property
    def third_parties(self) -> tuple[str, ...]:
        """Every outside state or body active in the crisis (mediators, offerers, managers)."""
        seen: dict[str, None] = {}
        for code in (*self.mediators, *self.offered_by, *self.crisis_managers):
            seen.setdefault(code, None)
        return tuple(seen)


def _data_file(name: str) -> Path:
    return Path(str(resources.files("tashkent.history").joinpath(f"data/{name}")))


def default_record_path() -> Path:
    return _data_file("crises.csv")


class _Row:
    """Typed access to one CSV row with one-line errors naming file, line and column."""

    def __init__(self, path: Path, line: int, raw: dict[str, str]) -> None:
        self.path, self.line, self.raw = path, line, raw

    def fail(self, column: str, problem: str, fix: str) -> UserError:
        value = self.raw.get(column, "")
        return UserError(f"{self.path.name}:{self.line}: column '{column}' = {value!r} {problem}; {fix}")

    def text(self, col: str, required: bool = True) -> str:
        value = (self.raw.get(col) or "").strip()
        if required and not value:
            raise self.fail(col, "is empty", "fill it in")
        return value

    def choice(self, col: str, allowed: tuple[str, ...], required: bool = True) -> str | None:
        value = self.text(col, required)
        if not value:
            return None
        if value not in allowed:
            raise self.fail(col, "is not allowed", f"use one of {', '.join(allowed)}")
        return value

    def integer(self, col: str, lo: int | None = None, hi: int | None = None) -> int | None:
        value = self.text(col, required=False)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise self.fail(col, "is not a whole number", "write digits only, e.g. 12") from None
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise self.fail(col, f"is outside {lo}..{hi}", f"use a value in {lo}..{hi}")
        return number

    def number(self, col: str) -> float | None:
        value = self.text(col, required=False)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.fail(col, "is not a number", "write e.g. 3.7") from None
        if number < 0:
            raise self.fail(col, "is negative", "use a value >= 0")
        return number

    def flag(self, col: str) -> bool:
        return self.choice(col, ("yes", "no")) == "yes"

    def date(self, col: str, precision_col: str | None = None) -> dt.date | None:
        value = self.text(col, required=False)
        if not value:
            return None
        precision = self.text(precision_col, required=False) if precision_col else "day"
        try:
            if precision == "month":
                return dt.datetime.strptime(value, "%Y-%m").date()
            return dt.date.fromisoformat(value)
        except ValueError:
            fmt = "YYYY-MM" if precision == "month" else "YYYY-MM-DD"
            raise self.fail(col, f"is not a date of the form {fmt}", f"write {fmt}") from None

    def codes(self, col: str) -> tuple[str, ...]:
        value = self.text(col, required=False)
        return tuple(c.strip() for c in value.split(";") if c.strip())


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = [(reader.line_num, dict(r)) for r in reader]
            header = list(reader.fieldnames or [])
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; give the path to a crisis record CSV") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path.name}: not a readable CSV ({exc}); save it as UTF-8 CSV") from None
    return header, rows


def _renamed(
    header: list[str], rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows with renamed columns read under their new names (RENAMED_COLUMNS)."""
    old = {o: n for o, n in RENAMED_COLUMNS.items() if o in header and n not in header}
    if not old:
        return header, rows
    header = [old.get(c, c) for c in header]
    return header, [(line, {old.get(k, k): v for k, v in raw.items()}) for line, raw in rows]


def load_sources(path: Path) -> dict[int, dict[str, tuple[str, ...]]]:
    """Read `crisis_sources.csv` into {crisis id: {field: (\"TAG: reference\", ...)}}."""
    header, rows = _read_csv(path)
    missing = [c for c in ("id", "field", "tag", "reference") if c not in header]
    if missing:
        raise UserError(
            f"{path.name}:1: missing column(s) {', '.join(missing)}; "
            "the header must be id,field,tag,reference"
        )
    out: dict[int, dict[str, list[str]]] = {}
    for line, raw in rows:
        row = _Row(path, line, raw)
        cid = row.integer("id", 1)
        if raw.get("field", "").strip() in RENAMED_COLUMNS:
            raw = {**raw, "field": RENAMED_COLUMNS[raw["field"].strip()]}
            row = _Row(path, line, raw)
        fld = row.choice("field", SOURCED)
        tag = row.choice("tag", tuple(SOURCE_TAGS))
        ref = row.text("reference")
        assert cid is not None and fld is not None
        out.setdefault(cid, {}).setdefault(fld, []).append(f"{tag}: {ref}")
    return {cid: {f: tuple(v) for f, v in d.items()} for cid, d in out.items()}


def parse_crisis(row: _Row, sources: dict[str, tuple[str, ...]], dyad: Dyad | None = None) -> Crisis:
    """Build one `Crisis` from a CSV row, checking every field and the row's internal logic."""
    dyad = dyad or DYADS[DEFAULT_DYAD]
    trigger_date = row.date("trigger_date", "trigger_precision")
    if trigger_date is None:
        raise row.fail("trigger_date", "is empty", "every crisis needs a trigger date")
    end_precision = row.choice("end_precision", ("day", "month", "ongoing"))
    assert end_precision is not None
    end_date = row.date("end_date", "end_precision") if end_precision != "ongoing" else None
    if end_precision != "ongoing" and end_date is None:
        raise row.fail("end_date", "is empty", "give the end date or set end_precision=ongoing")
    end_cmp = end_date.replace(day=28) if end_date and end_precision == "month" else end_date
    if end_cmp is not None and end_cmp < trigger_date:
        raise row.fail("end_date", "is before the trigger date", "check the dates")
    era = row.choice("era", ERAS)
    both_nuclear = row.flag("both_nuclear")
    nuclear_from = dyad.nuclear_from
    if both_nuclear != (nuclear_from is not None and trigger_date.year >= nuclear_from):
        raise row.fail(
            "both_nuclear",
            f"disagrees with the trigger year {trigger_date.year}",
            f"both states are nuclear-armed from {nuclear_from} on"
            if nuclear_from
            else f"the {dyad.name} dyad is never nuclear on both sides",
        )
    if (era == "overt_nuclear") != both_nuclear:
        raise row.fail("era", "disagrees with both_nuclear", "overt_nuclear iff both_nuclear=yes")
    rung_before = row.integer("rung_before", 0, MAX_RUNG)
    rung_highest = row.integer("rung_highest", 0, MAX_RUNG)
    if rung_before is None or rung_highest is None:
        raise row.fail("rung_highest", "is empty", "code the rungs 0-6")
    if rung_highest < rung_before:
        raise row.fail(
            "rung_highest",
            f"is below rung_before={rung_before}",
            "the highest rung cannot be lower than the starting rung",
        )
    occurred = row.flag("mediation_occurred")
    accepted = row.flag("mediation_accepted")
    offered = row.flag("mediation_offered")
    if occurred and not (accepted and offered):
        raise row.fail(
            "mediation_occurred",
            "is yes but offered/accepted is no",
            "mediation that occurred was offered and accepted (ICB MEDIATE=4)",
        )
    mediators = row.codes("mediators")
    if occurred != bool(mediators):
        raise row.fail(
            "mediators",
            "does not match mediation_occurred",
            "name the mediators iff mediation occurred",
        )
    duration = row.integer("duration_days", 1)
    crisis = Crisis(
        id=row.integer("id", 1) or 0,
        name=row.text("name"),
        icb_crisno=row.integer("icb_crisno", 1),
        trigger_date=trigger_date,
        trigger_precision=row.choice("trigger_precision", ("day", "month")) or "day",
        end_date=end_date,
        end_precision=end_precision,
        trigger_type=row.choice("trigger_type", TRIGGER_TYPES) or "",
        trigger_actor=row.choice("trigger_actor", (*dyad.parties, "non_state", "multiple")) or "",
        trigger_fatalities=row.integer("trigger_fatalities", 0),
        era=era or "",
        both_nuclear=both_nuclear,
        icb_nuclear_ind=row.integer("icb_nuclear_ind", 1, 4),
        icb_nuclear_pak=row.integer("icb_nuclear_pak", 1, 4),
        rung_before=rung_before,
        rung_highest=rung_highest,
        nuclear_signal=row.choice("nuclear_signal", NUCLEAR_SIGNAL) or "",
        response_lag_days=row.integer("response_lag_days", 1),
        duration_days=duration,
        kinetic_days=row.number("kinetic_days"),
        icb_viol=row.integer("icb_viol", 1, 4),
        mediation_offered=offered,
        mediation_accepted=accepted,
        mediation_occurred=occurred,
        mediators=mediators,
        mediator_type=row.choice("mediator_type", MEDIATOR_TYPES, required=occurred),
        mediation_style=row.choice("mediation_style", STYLES, required=occurred),
        mediation_start=row.date("mediation_start"),
        offered_by=row.codes("offered_by"),
        crisis_managers=row.codes("crisis_managers"),
        outcome_form=row.choice("outcome_form", OUTCOME_FORMS) or "",
        outcome=row.text("outcome"),
        sources=sources,
        dyad=dyad.name,
    )
    unsourced = [c for c in SOURCED if row.text(c, required=False) and c not in sources]
    if unsourced:
        raise row.fail(
            unsourced[0],
            "has no source",
            f"add a row '{crisis.id},{unsourced[0]},TAG,reference' to crisis_sources.csv",
        )
    return crisis


def load_crises(
    path: Path | str | None = None, sources_path: Path | str | None = None, dyad: str = DEFAULT_DYAD
) -> list[Crisis]:
    """Load and validate a dyad's crisis record (default: the packaged one of the dyad), sorted by
    trigger date.

    `sources_path` defaults to `crisis_sources.csv` beside `path`.
    """
    d = DYADS[dyad]
    path = Path(path) if path is not None else _data_file(d.record)
    sources_path = Path(sources_path) if sources_path else path.with_name("crisis_sources.csv")
    header, rows = _read_csv(path)
    header, rows = _renamed(header, rows)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(
            f"{path.name}:1: missing column(s) {', '.join(missing)}; "
            "see history/data/README.md for the columns"
        )
    sources = load_sources(sources_path)
    crises: list[Crisis] = []
    seen: set[int] = set()
    for line, raw in rows:
        row = _Row(path, line, raw)
        cid = row.integer("id", 1)
        if cid in seen:
            raise row.fail("id", "is repeated", "give every crisis its own id")
        assert cid is not None
        seen.add(cid)
        crises.append(parse_crisis(row, sources.get(cid, {}), d))
    if not crises:
        raise UserError(f"{path.name}: no crises; the file needs at least one data row")
    return sorted(crises, key=lambda c: c.trigger_date)
