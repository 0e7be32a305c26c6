"""The scenario schema (pydantic v2): actors, mediators, process, spoilers, schedule, initial state
and every model parameter with its default, prior and source.

Unknown keys are rejected everywhere (`extra="forbid"`); cross references (an event naming an
unknown actor) are checked after the fields validate. Range checks raise messages of the form
"is outside [lo, hi]" so that the loader can print `file:line: path = value is outside [lo, hi]`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from tashkent.scenario.bargaining import BargainingSpec
from tashkent.scenario.bounds import check_parameter
from tashkent.strict import NO_BOOLS, STRICT

TRACKS = ("II", "1.5", "I")
Track = Literal["II", "1.5", "I"]
Role = Literal["party", "mediator", "co_facilitator", "great_power", "spoiler", "observer"]
Style = Literal["facilitation", "formulation", "manipulation"]


def _within(lo: float, hi: float):
    def check(v: float) -> float:
        if not lo <= v <= hi:
            raise ValueError(f"is outside [{lo:g}, {hi:g}]")
        return v

    return AfterValidator(check)


Unit = Annotated[float, _within(0.0, 1.0)]
Signed = Annotated[float, _within(-1.0, 1.0)]
NonNeg = Annotated[float, _within(0.0, float("inf"))]
Positive = Annotated[float, Field(gt=0)]
RungInt = Annotated[int, _within(0, 6)]
PhaseInt = Annotated[int, _within(0, 5)]
ActorId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,11}$")]


class Strict(BaseModel):
    """Unknown keys refused, NaN and infinities refused in every number, booleans never numbers."""

    model_config = STRICT
    _no_bools = NO_BOOLS


class Prior(Strict):
    """A prior distribution for Monte Carlo sampling of one parameter."""

    dist: Literal["fixed", "uniform", "normal", "lognormal", "beta", "triangular"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: NonNeg | None = None
    median: float | None = None
    sdlog: NonNeg | None = None
    a: Positive | None = None
    b: Positive | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _needs(self) -> Prior:
        need = {
            "fixed": (),
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sdlog"),
            "beta": ("a", "b"),
            "triangular": ("low", "mode", "high"),
        }[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} prior needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low = {self.low} is above high = {self.high}")
        if self.dist == "lognormal" and self.median is not None and self.median <= 0:
            raise ValueError("a lognormal prior needs median > 0")
        if self.dist == "triangular" and not (self.low or 0) <= (self.mode or 0) <= (self.high or 0):
            raise ValueError(f"mode = {self.mode} must lie between low = {self.low} and high = {self.high}")
        return self


def _source_says_why(text: str) -> str:
    t = text.strip()
    if t.lower().startswith("judgement") and len(t.split(":", 1)[-1].strip()) < 5:
        raise ValueError("needs a reason: write 'judgement: <why>' or cite a paper or data set")
    return text


Source = Annotated[str, Field(min_length=3), AfterValidator(_source_says_why)]


class Parameter(Strict):
    """One model parameter: its default value, prior for Monte Carlo, and where it comes from."""

    value: float
    prior: Prior = Prior(dist="fixed")
    source: Source
    unit: str | None = None
    description: str | None = None
    identified: bool | None = None  # set by calibration: did the data constrain it?
    range: tuple[float, float] | None = None  # narrows the declared range (scenario/bounds.py)


class Actor(Strict):
    id: ActorId
    name: str
    kind: Literal["state", "igo", "non_state"]
    roles: list[Role] = Field(min_length=1)
    capability: Unit
    nuclear: bool = False
    bias: dict[str, Signed] = {}
    leverage: Unit = 0.0
    style: Style | None = None
    war_aversion: Unit = 0.5
    joins_at_phase: PhaseInt | None = None
    crisis_role: bool = False  # acts during crises (calls, shuttles) even before it joins the process
    active: bool = True
    great_power: bool | None = None  # None: a great power iff it has the great_power role
    standing: dict[str, Signed] = {}  # standing with each party beyond its bias (tashkent.model.standing)
    source: Source

    @property
    def is_great_power(self) -> bool:
        return self.great_power if self.great_power is not None else "great_power" in self.roles


class CBM(Strict):
    id: str
    name: str
    min_phase: Annotated[int, _within(1, 4)]
    trust_gain_per_year: Unit
    max_rung: RungInt | None = None
    requires_no_crisis: bool = True
    source: Source


class Phase(Strict):
    id: Annotated[int, _within(1, 5)]
    name: str
    track: Literal["II", "1.5", "I", "agreement"]
    description: str
    requires_acceptance: list[Track] = []
    official: bool = False
    median_days: Parameter


class Process(Strict):
    phases: list[Phase] = Field(min_length=5, max_length=5)
    cbms: list[CBM] = []
    consent_holder: ActorId | None = None
    consent_tracks: list[Track] = []

    @model_validator(mode="after")
    def _ordered(self) -> Process:
        ids = [p.id for p in self.phases]
        if ids != [1, 2, 3, 4, 5]:
            raise ValueError(f"phases must have ids 1, 2, 3, 4, 5 in order (got {ids})")
        return self


class ScheduledEvent(Strict):
    """A dated event or inject applied on its day in every run."""

    date: dt.date
    kind: Literal["attack", "bias_shift", "faction_shift", "join", "leave", "trust_shock"]
    actor: ActorId | None = None
    target: ActorId | None = None
    fatalities: NonNeg | None = None
    delta: float | None = None
    note: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _fields_for_kind(self) -> ScheduledEvent:
        need = {
            "attack": ("target", "fatalities"),
            "bias_shift": ("actor", "target", "delta"),
            "faction_shift": ("actor", "target", "delta"),
            "join": ("actor",),
            "leave": ("actor",),
            "trust_shock": ("delta",),
        }[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind} event needs {', '.join(missing)}")
        return self


class InitialState(Strict):
    date: dt.date | None = None
    rung: RungInt = 0
    crisis_active: bool = False
    crisis_day: Annotated[int, _within(0, 100000)] = 0
    nuclear_signal: bool = False
    trust: Unit = 0.2
    phase: PhaseInt = 0
    accept: dict[str, dict[Track, bool]] = {}
    provocation: dict[str, NonNeg] = {}
    hardening: dict[str, NonNeg] = {}  # decayed memory of attacks on each party (tashkent.model.standing)
    offers: list[ActorId] = []


class Doctrine(Strict):
    """Standing policy facts of the parties that change how the ladder is climbed."""

    cross_border_restraint: bool = False  # crossing the LoC/IB (rung >= 4) carries an extra cost
    source: Source = "judgement: no restraint doctrine stated"


class LeverOption(Strict):
    """One allowed value of a lever: the scenario edits it stands for (`--set` paths and values)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    description: str = ""
    set: dict[str, Any] = {}


class Lever(Strict):
    """A choice of a named actor, with its allowed values. Choosing an option applies its `set`
    paths to the scenario, as a `compare` variant's `set:` overlay does; the first option with an
    empty `set` (or the one named `default`) is the scenario as written."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    actor: ActorId
    name: str
    options: list[LeverOption] = Field(min_length=2)
    default: str | None = None
    source: Source

    @model_validator(mode="after")
    def _options(self) -> Lever:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"option ids must be unique (got {', '.join(ids)})")
        if self.default is not None and self.default not in ids:
            raise ValueError(f"default = {self.default} is not one of the options ({', '.join(ids)})")
        return self

    def default_option(self) -> str:
        """The option that leaves the scenario as written."""
        if self.default is not None:
            return self.default
        return next((o.id for o in self.options if not o.set), self.options[0].id)

    def option(self, option_id: str) -> LeverOption:
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)


class Spoilers(Strict):
    """Which party non-state spoilers strike, and from whose territory they operate. The engine
    assumes neither: an attack raises the target's provocation against the base."""

    target: ActorId | None = None  # default: the first party
    base: ActorId | None = None  # default: the other party
    source: Source = "judgement: default, spoilers strike the first party from the second's territory"


class Scenario(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    title: str
    description: str
    start_date: dt.date
    parties: tuple[ActorId, ActorId]
    actors: list[Actor] = Field(min_length=2, max_length=500)
    process: Process
    schedule: list[ScheduledEvent] = Field(default_factory=list, max_length=10_000)
    initial_state: InitialState
    doctrine: Doctrine = Doctrine()
    spoilers: Spoilers = Spoilers()
    parameters: dict[str, Parameter] = Field(max_length=5_000)
    bargaining: BargainingSpec | None = None
    levers: list[Lever] = []

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        # Messages start with "@<field path>|" so the loader can point at the offending line.
        ids = [a.id for a in self.actors]
        known = set(ids)
        listing = ", ".join(ids) if len(ids) <= 30 else ", ".join(ids[:30]) + ", ..."
        first: dict[str, int] = {}
        for i, a in enumerate(self.actors):
            if first.setdefault(a.id, i) != i:
                raise ValueError(f"@actors[{i}].id|= {a.id} appears more than once; ids must be unique")
        for i, p in enumerate(self.parties):
            if p not in known:
                raise ValueError(f"@parties[{i}]|= {p} is not an actor in this scenario (known: {listing})")
        if self.parties[0] == self.parties[1]:
            raise ValueError("@parties|names the same actor twice; give two different parties")
        for i, a in enumerate(self.actors):
            for target in a.bias:
                if target not in known:
                    raise ValueError(
                        f"@actors[{i}].bias.{target}|is not an actor in this scenario (known: {listing})"
                    )
            for target in a.standing:
                if target not in self.parties:
                    raise ValueError(
                        f"@actors[{i}].standing.{target}|is not a party (parties: {', '.join(self.parties)})"
                    )
        for i, e in enumerate(self.schedule):
            for field in ("actor", "target"):
                ref = getattr(e, field)
                if ref is not None and ref not in known:
                    raise ValueError(
                        f"@schedule[{i}].{field}|= {ref} is not an actor in this scenario (known: {listing})"
                    )
            if e.date < self.start_date:
                raise ValueError(f"@schedule[{i}].date|= {e.date} is before start_date {self.start_date}")
        for party in self.initial_state.accept:
            if party not in self.parties:
                raise ValueError(
                    f"@initial_state.accept.{party}|is not a party (parties: {', '.join(self.parties)})"
                )
        for party in self.initial_state.hardening:
            if party not in self.parties:
                raise ValueError(
                    f"@initial_state.hardening.{party}|is not a party (parties: {', '.join(self.parties)})"
                )
        for party in self.initial_state.provocation:
            if party not in self.parties:
                raise ValueError(
                    f"@initial_state.provocation.{party}|is not a party (parties: {', '.join(self.parties)})"
                )
        for i, m in enumerate(self.initial_state.offers):
            if m not in known:
                raise ValueError(
                    f"@initial_state.offers[{i}]|= {m} is not an actor in this scenario (known: {listing})"
                )
        lever_ids = [lv.id for lv in self.levers]
        for i, lv in enumerate(self.levers):
            if lv.actor not in known:
                raise ValueError(
                    f"@levers[{i}].actor|= {lv.actor} is not an actor in this scenario (known: {listing})"
                )
            if lever_ids.index(lv.id) != i:
                raise ValueError(
                    f"@levers[{i}].id|= {lv.id} appears more than once; lever ids must be unique"
                )
        for field in ("target", "base"):
            ref = getattr(self.spoilers, field)
            if ref is not None and ref not in self.parties:
                raise ValueError(
                    f"@spoilers.{field}|= {ref} is not a party (parties: {', '.join(self.parties)})"
                )
        if self.spoiler_target() == self.spoiler_base():
            raise ValueError("@spoilers|target and base are the same party; give two different parties")
        holder = self.process.consent_holder
        if holder and holder not in self.parties:
            raise ValueError(f"@process.consent_holder|= {holder} is not a party")
        init_date = self.initial_state.date
        if init_date is not None and init_date != self.start_date:
            raise ValueError(
                f"@initial_state.date|= {init_date} differs from start_date {self.start_date}; "
                "make them equal or remove initial_state.date"
            )
        for name, par in self.parameters.items():
            problem = check_parameter(name, par.value, par.prior, par.range)
            if problem:
                raise ValueError(f"@parameters.{name}|{problem}")
        for i, ph in enumerate(self.process.phases):
            med = ph.median_days
            problem = check_parameter(f"phase{ph.id}_median_days", med.value, med.prior, med.range)
            if problem:
                raise ValueError(f"@process.phases[{i}].median_days|{problem}")
        return self

    def spoiler_target(self) -> str:
        """The party spoilers strike."""
        return self.spoilers.target or (
            self.parties[1] if self.spoilers.base == self.parties[0] else self.parties[0]
        )

    def spoiler_base(self) -> str:
        """The party from whose territory spoilers strike."""
        return self.spoilers.base or (
            self.parties[1] if self.spoiler_target() == self.parties[0] else self.parties[0]
        )

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def mediators(self) -> list[Actor]:
        """Mediators and co-facilitators, in file order."""
        return [a for a in self.actors if {"mediator", "co_facilitator"} & set(a.roles)]

    def great_powers(self) -> list[Actor]:
        return [a for a in self.actors if "great_power" in a.roles]
