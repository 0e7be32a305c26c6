"""International Crisis Behavior (ICB) v15: a reader for the user's files and the base rates the
model's mediation mechanisms are tied to.

The ICB files are not shipped with tashkent (research-use licence): pass the folder holding
`icb1v15.csv` (system level), `icb2v15.csv` (actor level) and `icbdy_v15.csv` (dyadic) to
`read_icb`. Download them from the ICB project (https://sites.duke.edu/icbdata/data-collections/)
and cite Brecher, Wilkenfeld, Beardsley, James and Quinn.

Definitions (ICB v15 codebook variables): post-1945 = `yrtrig >= 1945`; mediated = `mediate == 4`;
not mediated = `mediate == 1` (none); agreement = `forout in {1, 2}`; tension reduction =
`outesr == 2` over crises with `outesr != 3` (not recent); effective = `medefct in {5, 6}`;
mediation lag = start of mediation − trigger, days, with a missing or coded (> 31) day set to 15.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tashkent.errors import UserError

SYSTEM_FILE = "icb1v15.csv"
ACTOR_FILE = "icb2v15.csv"
DYADIC_FILE = "icbdy_v15.csv"
INDIA, PAKISTAN = 750, 770

SYSTEM_COLUMNS = (
    "crisno",
    "crisname",
    "break",
    "trigent",
    "yrtrig",
    "motrig",
    "datrig",
    "yrterm",
    "brexit",
    "viol",
    "mediate",
    "medwho",
    "medstyle",
    "medefct",
    "yrmedst",
    "momedst",
    "damedst",
    "forout",
    "outesr",
    "usefct",
    "suefct",
)
ACTOR_COLUMNS = ("crisno", "cracid", "actor", "yrtrig", "motrig", "datrig", "trgresra", "nuclear")
DYADIC_COLUMNS = ("crisno", "statea", "stateb")
MEDIATOR_TYPES = {
    2: "global_igo",
    3: "regional_org",
    4: "private_transnational",
    5: "single_state",
    6: "group_of_states",
    7: "private_individual",
}
STYLES = {2: "facilitation", 3: "formulation", 4: "manipulation"}

Row = dict[str, Any]


@dataclass(frozen=True)
class IcbData:
    """The three ICB files as lists of rows; integer columns parsed (blank -> None)."""

    system: list[Row]
    actor: list[Row]
    dyadic: list[Row]
    folder: Path


def _read(path: Path, columns: tuple[str, ...], text_columns: tuple[str, ...] = ()) -> list[Row]:
    if not path.is_file():
        raise UserError(
            f"{path}: file not found; pass the folder holding the ICB v15 files "
            f"({SYSTEM_FILE}, {ACTOR_FILE}, {DYADIC_FILE}) from https://sites.duke.edu/icbdata/"
        )
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in columns if c not in header]
            if missing:
                raise UserError(
                    f"{path.name}:1: missing column(s) {', '.join(missing)}; is this an ICB v15 file?"
                )
            rows: list[Row] = []
            for raw in reader:
                line = reader.line_num
                row: Row = {"_line": line}
                for col in columns:
                    value = (raw.get(col) or "").strip()
                    if col in text_columns:
                        row[col] = value
                    elif value == "":
                        row[col] = None
                    else:
                        try:
                            row[col] = int(value)
                        except ValueError:
                            raise UserError(
                                f"{path.name}:{line}: column '{col}' = {value!r} is not a whole "
                                "number; restore the original ICB value"
                            ) from None
                rows.append(row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path.name}: not a readable CSV ({exc}); use the ICB v15 CSV") from None
    if not rows:
        raise UserError(f"{path.name}: no data rows; use the full ICB v15 file")
    return rows


def read_icb(folder: Path | str) -> IcbData:
    """Read the system, actor and dyadic ICB v15 files from `folder`."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder; pass the folder holding the ICB v15 CSV files")
    system = _read(folder / SYSTEM_FILE, SYSTEM_COLUMNS, ("crisname",))
    for row in system:
        if row["yrtrig"] is None or not 1900 <= row["yrtrig"] <= 2100:
            raise UserError(
                f"{SYSTEM_FILE}:{row['_line']}: column 'yrtrig' = {row['yrtrig']!r} is not a year; "
                "restore the original ICB value"
            )
    actor = _read(folder / ACTOR_FILE, ACTOR_COLUMNS, ("actor",))
    dyadic = _read(folder / DYADIC_FILE, DYADIC_COLUMNS)
    return IcbData(system=system, actor=actor, dyadic=dyadic, folder=folder)


# ---------------------------------------------------------------- pure computations on the rows


def icb_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    """An ICB date; a missing or coded (> 31) day becomes the 15th; no valid month -> None."""
    if year is None or month is None or not 1 <= month <= 12:
        return None
    d = 15 if day is None or not 1 <= day <= 31 else day
    try:
        return dt.date(year, month, d)
    except ValueError:  # e.g. 31 in a 30-day month
        return dt.date(year, month, 28)


def india_pakistan_crises(data: IcbData) -> list[int]:
    """Crisis numbers with an India–Pakistan dyad in the dyadic file (Appendix A, step 2)."""
    pair = {INDIA, PAKISTAN}
    return sorted({r["crisno"] for r in data.dyadic if {r["statea"], r["stateb"]} == pair})


@dataclass(frozen=True)
class Rate:
    """A proportion k/n."""

    k: int
    n: int

    @property
    def p(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def as_dict(self) -> dict[str, float | int]:
        return {"k": self.k, "n": self.n, "p": round(self.p, 4)}


def _rate(rows: list[Row], hit: Any, base: Any = None) -> Rate:
    pool = [r for r in rows if base is None or base(r)]
    return Rate(sum(1 for r in pool if hit(r)), len(pool))


def _agree(r: Row) -> bool:
    return r["forout"] in (1, 2)


def _tension_reduced(r: Row) -> bool:
    return r["outesr"] == 2


def _not_recent(r: Row) -> bool:
    return r["outesr"] != 3


def _effective(r: Row) -> bool:
    return r["medefct"] in (5, 6)


def mediation_lags(rows: list[Row]) -> list[int]:
    """Days from trigger to the start of mediation for mediated crises with both dates known."""
    lags = []
    for r in rows:
        if r["mediate"] != 4:
            continue
        start = icb_date(r["yrmedst"], r["momedst"], r["damedst"])
        trig = icb_date(r["yrtrig"], r["motrig"], r["datrig"])
        if start is not None and trig is not None:
            lags.append((start - trig).days)
    return lags


def _group_table(rows: list[Row], key: str, labels: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, label in labels.items():
        group = [r for r in rows if r[key] == code]
        if len(group) < 5:
            continue
        out[label] = {
            "n": len(group),
            "effective": _rate(group, _effective).as_dict(),
            "agreement": _rate(group, _agree).as_dict(),
            "tension_reduction": _rate(group, _tension_reduced, _not_recent).as_dict(),
        }
    return out


def base_rates(data: IcbData) -> dict[str, Any]:
    """Mediation base rates computed from the ICB rows (JSON-ready)."""
    every = data.system
    post = [r for r in every if r["yrtrig"] >= 1945]
    out: dict[str, Any] = {"n_crises": len(every), "n_post1945": len(post)}
    for label, rows in (("all", every), ("post1945", post)):
        med = [r for r in rows if r["mediate"] == 4]
        none = [r for r in rows if r["mediate"] == 1]
        out[label] = {
            "mediation_occurred": _rate(rows, lambda r: r["mediate"] == 4).as_dict(),
            "mediation_offered_not_accepted": _rate(rows, lambda r: r["mediate"] == 3).as_dict(),
            "agreement_mediated": _rate(med, _agree).as_dict(),
            "agreement_not_mediated": _rate(none, _agree).as_dict(),
            "tension_reduction_mediated": _rate(med, _tension_reduced, _not_recent).as_dict(),
            "tension_reduction_not_mediated": _rate(none, _tension_reduced, _not_recent).as_dict(),
            "median_duration_mediated": statistics.median(r["brexit"] for r in med),
            "median_duration_not_mediated": statistics.median(r["brexit"] for r in none),
        }
    out["post1945"]["share_mediated_by_violence"] = {
        name: _rate(post, lambda r: r["mediate"] == 4, lambda r, v=v: r["viol"] == v).as_dict()
        for v, name in ((1, "none"), (2, "minor"), (3, "serious"), (4, "war"))
    }
    lags = sorted(mediation_lags(post))
    q1, _, q3 = statistics.quantiles(lags, n=4, method="inclusive")
    out["post1945"]["mediation_lag_days"] = {
        "n": len(lags),
        "median": statistics.median(lags),
        "q1": q1,
        "q3": q3,
        "share_before_trigger": round(sum(1 for x in lags if x < 0) / len(lags), 4),
    }
    mediated_post = [r for r in post if r["mediate"] == 4]
    out["post1945"]["by_mediator_type"] = _group_table(mediated_post, "medwho", MEDIATOR_TYPES)
    out["post1945"]["by_style"] = _group_table(mediated_post, "medstyle", STYLES)
    out["india_pakistan"] = india_pakistan_rates(data)
    return out


def india_pakistan_rates(data: IcbData) -> dict[str, Any]:
    """The same rates for the India–Pakistan crises (dyad 750–770)."""
    ids = set(india_pakistan_crises(data))
    rows = sorted((r for r in data.system if r["crisno"] in ids), key=lambda r: r["crisno"])
    viol_names = {1: "none", 2: "minor", 3: "serious", 4: "war"}
    post_simla = [r for r in rows if r["yrtrig"] > 1972]
    nuclear = [r for r in rows if r["yrtrig"] >= 1998]
    onsets = [icb_date(r["yrtrig"], r["motrig"], r["datrig"]) for r in rows]
    dates = sorted(d for d in onsets if d is not None)
    gaps = [(b - a).days / 365.25 for a, b in itertools.pairwise(dates)]
    span_years = (dt.date(2019, 12, 31) - dt.date(1947, 8, 1)).days / 365.25
    durations = [r["brexit"] for r in rows]
    return {
        "crisnos": sorted(ids),
        "n": len(rows),
        "mediation": {
            "occurred": sum(r["mediate"] == 4 for r in rows),
            "offered_not_accepted": sum(r["mediate"] == 3 for r in rows),
            "none": sum(r["mediate"] == 1 for r in rows),
        },
        "mediated_since_simla": _rate(post_simla, lambda r: r["mediate"] == 4).as_dict(),
        "violence": {viol_names[v]: sum(r["viol"] == v for r in rows) for v in viol_names},
        "violence_since_1998": {viol_names[v]: sum(r["viol"] == v for r in nuclear) for v in viol_names},
        "recurrence_within_5y": _rate(rows, lambda r: r["outesr"] == 1, _not_recent).as_dict(),
        "onset_rate_per_year": round(len(rows) / span_years, 4),
        "gap_years_mean": round(statistics.mean(gaps), 2),
        "gap_years_median": round(statistics.median(gaps), 2),
        "duration_days": {
            "median": statistics.median(durations),
            "min": min(durations),
            "max": max(durations),
        },
    }
