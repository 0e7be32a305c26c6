"""CAMEO codes, Goldstein weights, quad and penta classes, the CAMEO→PLOVER crosswalk, and the
mapping of CAMEO codes onto the escalation ladder (read from `tashkent/data/ladder.yaml`).

All tables are data files in `tashkent/events/data/`, loaded once.

Conventions (docs/decisions/0401): quad class follows GDELT/ICEWS (01–05 verbal cooperation = 1,
06–08 material cooperation = 2, 09–13 verbal conflict = 3, 14–20 material conflict = 4); penta class
follows Phoenix/ConfliBERT (0 = 01–02, 1 = 03–05, 2 = 06–08, 3 = 09–13 and 16, 4 = 14, 15, 17–20).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tashkent.ladder import Action, load_ladder

ROOT_NAMES = {
    "01": "MAKE PUBLIC STATEMENT",
    "02": "APPEAL",
    "03": "EXPRESS INTENT TO COOPERATE",
    "04": "CONSULT",
    "05": "ENGAGE IN DIPLOMATIC COOPERATION",
    "06": "ENGAGE IN MATERIAL COOPERATION",
    "07": "PROVIDE AID",
    "08": "YIELD",
    "09": "INVESTIGATE",
    "10": "DEMAND",
    "11": "DISAPPROVE",
    "12": "REJECT",
    "13": "THREATEN",
    "14": "PROTEST",
    "15": "EXHIBIT FORCE POSTURE",
    "16": "REDUCE RELATIONS",
    "17": "COERCE",
    "18": "ASSAULT",
    "19": "FIGHT",
    "20": "USE UNCONVENTIONAL MASS VIOLENCE",
}
PENTA_NAMES = (
    "statement/appeal",
    "verbal cooperation",
    "material cooperation",
    "verbal conflict",
    "material conflict",
)
QUAD_NAMES = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}


@dataclass(frozen=True)
class CameoInfo:
    code: str
    root: str
    name: str
    goldstein: float
    quad: int
    penta: int
    plover: str
    plover_mode: str
    plover_context: str


def root_of(code: str) -> str:
    """The two-digit root of a CAMEO code ("0256" → "02", "195" → "19")."""
    return code[:2]


def quad_of(root: str) -> int:
    r = int(root)
    return 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4


def penta_of(root: str) -> int:
    r = int(root)
    if r <= 2:
        return 0
    if r <= 5:
        return 1
    if r <= 8:
        return 2
    if r <= 13 or r == 16:
        return 3
    return 4


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("tashkent.events").joinpath(f"data/{name}").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def cameo_table() -> dict[str, CameoInfo]:
    """Every CAMEO code (roots included) with name, Goldstein weight, classes and PLOVER type."""
    plover = {r["cameo"]: r for r in _rows("cameo_plover.csv")}
    out: dict[str, CameoInfo] = {}
    for r in _rows("cameo.csv"):
        code = r["code"]
        root = r["root"]
        p = plover.get(code, {})
        out[code] = CameoInfo(
            code=code,
            root=root,
            name=r["name"],
            goldstein=float(r["goldstein"]),
            quad=quad_of(root),
            penta=penta_of(root),
            plover=p.get("event", ""),
            plover_mode=p.get("mode", ""),
            plover_context=p.get("context", ""),
        )
    return out


def is_cameo(code: str) -> bool:
    return code in cameo_table()


def normalise_code(raw: str) -> str | None:
    """A CAMEO code as written in data files ("42" → "042", "0256" stays); None if unknown."""
    code = raw.strip()
    if not code.isdigit():
        return None
    table = cameo_table()
    if code in table:
        return code
    for width in (2, 3, 4):
        padded = code.zfill(width)
        if padded in table and len(code) < width:
            return padded
    return None


def describe(code: str) -> CameoInfo:
    """The table row of a code; raises KeyError for unknown codes."""
    return cameo_table()[code]


@cache
def ladder_actions() -> dict[str, Action]:
    """CAMEO code → ladder action, from ladder.yaml (the single source of truth)."""
    return load_ladder().cameo_to_action()


def action_for(code: str) -> Action | None:
    """The ladder action of a code: exact code first, then its three-digit parent."""
    table = ladder_actions()
    if code in table:
        return table[code]
    if len(code) == 4 and code[:3] in table:
        return table[code[:3]]
    return None


def rung_of(code: str) -> int | None:
    """The escalation rung (1–6) of a crisis measure, None for codes that are not measures."""
    a = action_for(code)
    return a.rung if a is not None and isinstance(a.rung, int) else None
