"""Bargaining inputs: actors with capability and, per issue dimension, position and salience.

Three sources produce the same `Problem`:

* a plain CSV, ``actor,capability,position,salience`` for one dimension, or
  ``actor,capability,pos_<dim>,sal_<dim>,...`` for several;
* KTAB's CSV format, unchanged (line 1: ``name, description, numActors, numDims``; line 2: a header
  whose position columns name the dimensions; then
  ``name, description, capability, pos_1, sal_1, ...``);
* a scenario's ``bargaining`` section (`tashkent.scenario.bargaining.BargainingSpec`).

Positions are on a 0–100 scale; saliences are given as 0–100 and stored as fractions in [0, 1].
Every user mistake raises `UserError` naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tashkent.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from tashkent.scenario.bargaining import BargainingSpec

MIN_ACTORS = 3
MAX_ACTORS = 2000  # the EU model's cost grows as N²; the SMP has its own, lower limit
MAX_DIMS = 50
POS_LO, POS_HI = 0.0, 100.0
SALIENCE_TOL = 1e-6


@dataclass(frozen=True)
class Problem:
    """A bargaining problem: N actors over D issue dimensions.

    `position` is [N, D] on the 0–100 input scale, `salience` is [N, D] in [0, 1] (the input's
    0–100 divided by 100), `capability` is [N] and non-negative.
    """

    name: str
    actors: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    dimensions: tuple[str, ...]
    source: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_dims(self) -> int:
        return len(self.dimensions)


def _num(value: str, where: str, fld: str) -> float:
    text = value.strip()
    try:
        x = float(text)
    except ValueError:
        raise UserError(f"{where}: {fld} = {text!r} is not a number; write a plain number") from None
    if not math.isfinite(x):
        raise UserError(f"{where}: {fld} = {text!r} is not finite; write a plain number")
    return x


def validate(
    name: str,
    actors: list[str],
    capability: list[float],
    position: list[list[float]],
    salience_pct: list[list[float]],
    dimensions: list[str],
    where: list[str],
    *,
    salience_sum_max: float | None = 100.0,
    source: str = "",
    labels: dict[str, str] | None = None,
) -> Problem:
    """Check ranges, duplicates and counts; return a `Problem`. `where[i]` locates actor i
    (e.g. ``"file.csv:7"``) for error messages; saliences arrive on the 0–100 scale."""
    if len(actors) < MIN_ACTORS:
        loc = where[0].rsplit(":", 1)[0] if where else name
        raise UserError(
            f"{loc}: only {len(actors)} actor(s); a bargaining model needs at least {MIN_ACTORS} — add actors"
        )
    if len(actors) > MAX_ACTORS:
        loc = where[0].rsplit(":", 1)[0] if where else name
        raise UserError(f"{loc}: {len(actors):,} actors, more than the {MAX_ACTORS:,} the models handle")
    if not 1 <= len(dimensions) <= MAX_DIMS:
        loc = where[0].rsplit(":", 1)[0] if where else name
        raise UserError(f"{loc}: {len(dimensions)} issue dimensions; give between 1 and {MAX_DIMS}")
    seen: dict[str, str] = {}
    for a, w in zip(actors, where, strict=True):
        if not a:
            raise UserError(f"{w}: actor name is empty; give every actor a name")
        if a in seen:
            raise UserError(f"{w}: actor {a!r} appears twice (first at {seen[a]}); give each actor one row")
        seen[a] = w
    for i, w in enumerate(where):
        c = capability[i]
        if c < 0:
            raise UserError(f"{w}: capability = {c:g} is negative; use a value >= 0")
        for d, dim in enumerate(dimensions):
            x = position[i][d]
            if not POS_LO <= x <= POS_HI:
                raise UserError(
                    f"{w}: position of {dim!r} = {x:g} is outside [0, 100]; rescale positions to 0–100"
                )
            s = salience_pct[i][d]
            if not 0 <= s <= 100:
                raise UserError(f"{w}: salience of {dim!r} = {s:g} is outside [0, 100]; use a share of 0–100")
        total = sum(salience_pct[i])
        if salience_sum_max is not None and total > salience_sum_max + SALIENCE_TOL:
            raise UserError(
                f"{w}: saliences sum to {total:g}, more than {salience_sum_max:g}; an actor's "
                "attention across dimensions must add up to at most 100"
            )
        if total <= 0:
            raise UserError(
                f"{w}: every salience is 0, so the actor takes no part; give it salience or remove the row"
            )
    for d, dim in enumerate(dimensions):
        if all(salience_pct[i][d] <= 0 for i in range(len(actors))):
            loc = where[0].rsplit(":", 1)[0] if where else name
            raise UserError(
                f"{loc}: no actor gives {dim!r} any salience; remove the dimension or give salience"
            )
    if sum(capability) <= 0:
        raise UserError(
            f"{where[0].rsplit(':', 1)[0]}: every capability is 0; give at least one actor capability"
        )
    return Problem(
        name=name,
        actors=tuple(actors),
        capability=np.asarray(capability, dtype=float),
        position=np.asarray(position, dtype=float).reshape(len(actors), len(dimensions)),
        salience=np.asarray(salience_pct, dtype=float).reshape(len(actors), len(dimensions)) / 100.0,
        dimensions=tuple(dimensions),
        source=source,
        labels=dict(labels or {}),
    )


def _rows(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells or cells[0].startswith("#"):
            continue
        out.append((lineno, cells))
    return out


def is_ktab_csv(text: str) -> bool:
    """KTAB's CSV: the first line ends with two integers (numbers of actors and dimensions)."""
    rows = _rows(text)
    if not rows:
        return False
    first = rows[0][1]
    if len(first) < 3:
        return False
    try:
        int(first[-2])
        int(first[-1])
    except ValueError:
        return False
    return True


def read_plain_csv(text: str, path: str = "<csv>") -> Problem:
    """Read ``actor,capability,position,salience`` or ``actor,capability,pos_<d>,sal_<d>,...``."""
    rows = _rows(text)
    if not rows:
        raise UserError(
            f"{path}: the file is empty; write a header line `actor,capability,position,salience`"
        )
    hline, header = rows[0]
    cols = [h.lower() for h in header]
    if "actor" not in cols or "capability" not in cols:
        raise UserError(
            f"{path}:{hline}: header needs `actor` and `capability` columns, "
            f"got {','.join(header)}; "
            "write `actor,capability,position,salience` or `pos_<dim>`/`sal_<dim>` columns"
        )
    if "position" in cols or "salience" in cols:
        if "position" not in cols or "salience" not in cols:
            raise UserError(f"{path}:{hline}: header has only one of `position`/`salience`; give both")
        dims = ["position"]
        pos_cols = [cols.index("position")]
        sal_cols = [cols.index("salience")]
        dim_names = ["issue"]
    else:
        dims = [c[4:] for c in cols if c.startswith("pos_")]
        if not dims:
            raise UserError(
                f"{path}:{hline}: no position columns; add `position,salience` or `pos_<dim>,sal_<dim>`"
            )
        for d in dims:
            if f"sal_{d}" not in cols:
                raise UserError(f"{path}:{hline}: column `pos_{d}` has no matching `sal_{d}`; add it")
        for c in cols:
            if c.startswith("sal_") and c[4:] not in dims:
                raise UserError(f"{path}:{hline}: column `{c}` has no matching `pos_{c[4:]}`; add it")
        pos_cols = [cols.index(f"pos_{d}") for d in dims]
        sal_cols = [cols.index(f"sal_{d}") for d in dims]
        dim_names = [header[cols.index(f"pos_{d}")][4:] for d in dims]
    ia, ic = cols.index("actor"), cols.index("capability")
    actors, caps, poss, sals, where = [], [], [], [], []
    for lineno, cells in rows[1:]:
        w = f"{path}:{lineno}"
        if len(cells) < len(header):
            raise UserError(f"{w}: {len(cells)} fields, the header has {len(header)}; fill every column")
        actors.append(cells[ia])
        caps.append(_num(cells[ic], w, "capability"))
        poss.append(
            [_num(cells[j], w, f"position of {dn!r}") for j, dn in zip(pos_cols, dim_names, strict=True)]
        )
        sals.append(
            [_num(cells[j], w, f"salience of {dn!r}") for j, dn in zip(sal_cols, dim_names, strict=True)]
        )
        where.append(w)
    flat = [v for row in sals for v in row]
    if flat and 0 < max(flat) <= 1:
        raise UserError(
            f"{path}: every salience is at most 1 — they look like fractions; write saliences on "
            "0–100 (multiply by 100)"
        )
    return validate(Path(path).stem, actors, caps, poss, sals, dim_names, where, source=path)


def read_ktab_csv(text: str, path: str = "<csv>") -> Problem:
    """Read KTAB's SMP CSV format unchanged (see module docstring)."""
    rows = _rows(text)
    if len(rows) < 2:
        raise UserError(f"{path}: a KTAB file needs a scenario line and a header line")
    l1, first = rows[0]
    try:
        n_act, n_dim = int(first[-2]), int(first[-1])
    except ValueError:
        raise UserError(
            f"{path}:{l1}: the first line must end with the number of actors and of dimensions"
        ) from None
    if not 1 <= n_dim <= MAX_DIMS or not MIN_ACTORS <= n_act <= MAX_ACTORS:
        raise UserError(
            f"{path}:{l1}: {n_act} actors and {n_dim} dimensions; KTAB files need {MIN_ACTORS}-{MAX_ACTORS} "
            f"actors and 1-{MAX_DIMS} dimensions"
        )
    name = first[0]
    _l2, header = rows[1]
    dims = [header[3 + 2 * d] if 3 + 2 * d < len(header) else f"dim{d + 1}" for d in range(n_dim)]
    dims = [d.replace(" Position", "").strip() or f"dim{k + 1}" for k, d in enumerate(dims)]
    body = rows[2:]
    if len(body) != n_act:
        raise UserError(
            f"{path}:{l1}: the first line says {n_act} actors "
            f"but the file has {len(body)} actor rows; "
            "correct the count"
        )
    actors, caps, poss, sals, where, labels = [], [], [], [], [], {}
    for lineno, cells in body:
        w = f"{path}:{lineno}"
        need = 3 + 2 * n_dim
        if len(cells) != need:
            raise UserError(
                f"{w}: {len(cells)} fields, expected {need} (name, description, capability, "
                f"then position and salience for {n_dim} dimension(s)); "
                + ("fill every column" if len(cells) < need else "remove the extra fields or fix the counts")
            )
        actors.append(cells[0])
        labels[cells[0]] = cells[1]
        caps.append(_num(cells[2], w, "capability"))
        poss.append([_num(cells[3 + 2 * d], w, f"position of {dims[d]!r}") for d in range(n_dim)])
        sals.append([_num(cells[4 + 2 * d], w, f"salience of {dims[d]!r}") for d in range(n_dim)])
        where.append(w)
    return validate(name, actors, caps, poss, sals, dims, where, source=path, labels=labels)


def read_csv(path: Path) -> Problem:
    """Read a plain or KTAB CSV file, telling them apart by KTAB's first line."""
    p = Path(path)
    from tashkent.safe_yaml import read_text

    if not p.exists():
        raise UserError(f"{p}: no such file; give a CSV path or a scenario name")
    text = read_text(p, "bargaining CSV").removeprefix("\ufeff")
    if is_ktab_csv(text):
        return read_ktab_csv(text, str(p))
    return read_plain_csv(text, str(p))


def from_spec(spec: BargainingSpec, where: str = "bargaining") -> Problem:
    """Build a `Problem` from a scenario's bargaining section (already schema-validated)."""
    dims = [d.id for d in spec.dimensions]
    actors, caps, poss, sals, locs = [], [], [], [], []
    for a in spec.actors:
        actors.append(a.id)
        caps.append(a.capability.value)
        loc = f"{where}.actors[{a.id}]"
        missing = [d for d in dims if d not in a.stances]
        if missing:
            raise UserError(
                f"{loc}: no stance on {missing[0]!r}; give position and salience for every dimension"
            )
        poss.append([a.stances[d].position for d in dims])
        sals.append([a.stances[d].salience for d in dims])
        locs.append(loc)
    return validate(spec.name, actors, caps, poss, sals, dims, locs, source=where)
