"""The scenario's `bargaining` section: issue dimensions with labelled scales, actors with sourced
capability and stances, settlement packages and the parties' reservation utilities.

Every number a user supplies carries a `source` (a paper, a data set, or ``judgement: why``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from tashkent.strict import NO_BOOLS, STRICT

ID_PATTERN = r"^[A-Z][A-Z0-9_]{1,11}$"


class _Strict(BaseModel):
    model_config = STRICT
    _no_bools = NO_BOOLS


def _need_source(v: str) -> str:
    v = v.strip()
    if not v:
        raise ValueError("give a source: a paper, a data set, or 'judgement: why'")
    return v


class ScalePoint(_Strict):
    at: float = Field(ge=0, le=100)
    label: str = Field(min_length=1)


class Dimension(_Strict):
    """An issue dimension on 0–100 with labelled points."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    scale: list[ScalePoint] = Field(min_length=2)
    description: str = ""

    @field_validator("scale")
    @classmethod
    def _increasing(cls, v: list[ScalePoint]) -> list[ScalePoint]:
        ats = [p.at for p in v]
        if ats != sorted(ats) or len(set(ats)) != len(ats):
            raise ValueError("scale points must be listed in increasing order of `at`, without repeats")
        return v

    def label_at(self, x: float) -> str:
        """The label of the nearest scale point."""
        return min(self.scale, key=lambda p: abs(p.at - x)).label


class Sourced(_Strict):
    value: float = Field(ge=0)
    source: str

    _src = field_validator("source")(_need_source)


class Stance(_Strict):
    """An actor's position (0–100) and salience (0–100) on one dimension."""

    position: float = Field(ge=0, le=100)
    salience: float = Field(ge=0, le=100)
    source: str

    _src = field_validator("source")(_need_source)


class BargainActor(_Strict):
    id: str = Field(pattern=ID_PATTERN, description="CAMEO/ISO-3 code, or SCO / KASIND / KASPAK")
    name: str
    capability: Sourced
    stances: dict[str, Stance]

    @model_validator(mode="after")
    def _salience_sum(self) -> BargainActor:
        total = sum(s.salience for s in self.stances.values())
        if total > 100 + 1e-6:
            raise ValueError(
                f"saliences of {self.id} sum to {total:g}; an actor's attention across dimensions "
                "must add up to at most 100"
            )
        return self


class Package(_Strict):
    """A named settlement: a point in issue space."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    source: str
    point: dict[str, float]

    _src = field_validator("source")(_need_source)

    @field_validator("point")
    @classmethod
    def _range(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not 0 <= x <= 100:
                raise ValueError(f"point.{k} = {x:g} is outside [0, 100]")
        return v


class Reservation(_Strict):
    """What no agreement is worth to each party, in utility units [0, 1].

    ``fixed``: `fixed` gives the utilities. ``model``: reservation_p = u_p(status quo) ×
    (1 − expected_cost_p), with expected_cost_p in [0, 1] the crisis model's normalised expected
    cost of no agreement over `horizon_days` (`tashkent.sim.document.forecast`); when that model is not
    available, `fallback_expected_cost` is used and the output says so.
    """

    mode: Literal["fixed", "model"] = "model"
    fixed: dict[str, float] = Field(default_factory=dict)
    horizon_days: int = Field(default=365, ge=1)
    runs: int = Field(default=200, ge=1)
    seed: int = 1
    fallback_expected_cost: dict[str, float] = Field(default_factory=dict)
    source: str = "judgement: default"

    @field_validator("fixed", "fallback_expected_cost")
    @classmethod
    def _unit(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not 0 <= x <= 1:
                raise ValueError(f"{k} = {x:g} is outside [0, 1]")
        return v


class BargainingSpec(_Strict):
    """A scenario's bargaining section."""

    name: str = "bargaining"
    parties: tuple[str, str]
    veto: list[str] = Field(default_factory=list, description="veto-holders besides the parties")
    status_quo: str = Field(default="status_quo", description="id of the no-agreement package")
    framework: str | None = Field(default=None, description="id of the framework-agreement package")
    dimensions: list[Dimension] = Field(min_length=1)
    actors: list[BargainActor] = Field(min_length=3)
    packages: list[Package] = Field(default_factory=list)
    reservation: Reservation = Field(default_factory=Reservation)

    @model_validator(mode="after")
    def _consistent(self) -> BargainingSpec:
        dims = [d.id for d in self.dimensions]
        if len(set(dims)) != len(dims):
            raise ValueError("dimension ids must be unique")
        ids = [a.id for a in self.actors]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"actor {sorted(dup)[0]} appears twice; give each actor one entry")
        for a in self.actors:
            missing = [d for d in dims if d not in a.stances]
            extra = [k for k in a.stances if k not in dims]
            if missing:
                raise ValueError(f"actor {a.id} has no stance on {missing[0]!r}")
            if extra:
                raise ValueError(f"actor {a.id} has a stance on unknown dimension {extra[0]!r}")
        for p in (*self.parties, *self.veto):
            if p not in ids:
                raise ValueError(f"party or veto-holder {p} is not among the actors")
        pk = [p.id for p in self.packages]
        if len(set(pk)) != len(pk):
            raise ValueError("package ids must be unique")
        for pkg in self.packages:
            missing = [d for d in dims if d not in pkg.point]
            extra = [k for k in pkg.point if k not in dims]
            if missing:
                raise ValueError(f"package {pkg.id} has no value for {missing[0]!r}")
            if extra:
                raise ValueError(f"package {pkg.id} names unknown dimension {extra[0]!r}")
        if self.packages and self.status_quo not in pk:
            raise ValueError(f"status_quo {self.status_quo!r} is not a package id")
        if self.framework is not None and self.framework not in pk:
            raise ValueError(f"framework {self.framework!r} is not a package id")
        if self.reservation.mode == "fixed":
            for p in self.parties:
                if p not in self.reservation.fixed:
                    raise ValueError(f"reservation.fixed has no value for party {p}")
        return self

    def actor(self, actor_id: str) -> BargainActor:
        return next(a for a in self.actors if a.id == actor_id)

    def package(self, package_id: str) -> Package:
        return next(p for p in self.packages if p.id == package_id)
