"""Static, scenario-derived inputs of a run: mediator tables, the schedule by day, CBMs, phases.
Built once per chunk from a validated `Scenario`; holds no random state."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tashkent.scenario.schema import TRACKS, Scenario


@dataclass
class Context:
    parties: tuple[str, str]
    both_nuclear: bool
    mediator_ids: list[str]
    mediator_bias: np.ndarray  # [M, 2] base bias toward each party
    war_aversion: np.ndarray  # [M]
    leverage: np.ndarray  # [M]
    joins_at_phase: np.ndarray  # [M], -1 = active from the start
    initially_active: np.ndarray  # [M] bool
    enabled: np.ndarray  # [M] bool: `active: false` in the scenario removes a mediator
    crisis_role: np.ndarray  # [M] bool: also active whenever a crisis is on
    gp_leverage: float  # 1 − Π(1 − leverage) over great powers
    phase_official: np.ndarray  # [6] bool, index = phase
    phase_tracks: list[list[int]]  # [6] track indices each phase needs
    phase_median: dict[int, str]  # phase → parameter key holding its median days
    cbms: list[dict]
    consent_holder: int | None  # index of the party that holds the consent gate
    consent_tracks: list[int]
    cross_border_restraint: bool
    offerer: str | None  # the actor whose offer the parties answer (initial_state.offers[0])
    offer_mediator: int  # its index among the mediators, -1 if it is not one
    offer_bias: np.ndarray  # [2] its bias toward each party (for a mediator: before per-run noise)
    offer_great_power: float  # 1.0 if the offerer is a great power
    offer_standing: np.ndarray  # [2] its standing with each party at the start
    gp_bias: np.ndarray  # [G, 2] active great powers' bias toward each party
    gp_leverages: np.ndarray  # [G] their leverage
    spoiler_target: int  # index of the party spoilers strike
    schedule: dict[int, list[dict]] = field(default_factory=dict)  # day → events


def build_context(scenario: Scenario) -> Context:
    parties = scenario.parties
    meds = scenario.mediators()
    offers = set(scenario.initial_state.offers)
    bias = np.array([[m.bias.get(p, 0.0) for p in parties] for m in meds], dtype=np.float64).reshape(-1, 2)
    joins = np.array([m.joins_at_phase if m.joins_at_phase is not None else -1 for m in meds], dtype=np.int64)
    initially = np.array(
        [m.active and m.joins_at_phase is None and ("mediator" in m.roles or m.id in offers) for m in meds],
        dtype=bool,
    )
    gps = [g for g in scenario.great_powers() if g.active]  # `active: false` removes one
    gp_lev = 1.0 - float(np.prod([1.0 - g.leverage for g in gps])) if gps else 0.0
    official = np.zeros(6, dtype=bool)
    tracks: list[list[int]] = [[] for _ in range(6)]
    medians: dict[int, str] = {}
    for ph in scenario.process.phases:
        official[ph.id] = ph.official
        tracks[ph.id] = [TRACKS.index(t) for t in ph.requires_acceptance]
        medians[ph.id] = f"phase{ph.id}_median_days"
    holder = scenario.process.consent_holder
    ids = [m.id for m in meds]
    lead = _offerer(scenario, meds, initially)
    lead_actor = scenario.actor(lead) if lead else None
    start = scenario.start_date
    schedule: dict[int, list[dict]] = {}
    for ev in scenario.schedule:
        day = (ev.date - start).days
        entry = ev.model_dump()
        entry["mediator_index"] = ids.index(ev.actor) if ev.actor in ids else None
        entry["target_index"] = parties.index(ev.target) if ev.target in parties else None
        schedule.setdefault(day, []).append(entry)
    return Context(
        parties=(parties[0], parties[1]),
        both_nuclear=all(scenario.actor(p).nuclear for p in parties),
        mediator_ids=ids,
        mediator_bias=bias,
        war_aversion=np.array([m.war_aversion for m in meds], dtype=np.float64),
        leverage=np.array([m.leverage for m in meds], dtype=np.float64),
        joins_at_phase=joins,
        initially_active=initially,
        enabled=np.array([m.active for m in meds], dtype=bool),
        crisis_role=np.array([m.crisis_role for m in meds], dtype=bool),
        gp_leverage=gp_lev,
        phase_official=official,
        phase_tracks=tracks,
        phase_median=medians,
        cbms=[c.model_dump() for c in scenario.process.cbms],
        consent_holder=parties.index(holder) if holder else None,
        consent_tracks=[TRACKS.index(t) for t in scenario.process.consent_tracks],
        cross_border_restraint=scenario.doctrine.cross_border_restraint,
        offerer=lead,
        offer_mediator=ids.index(lead) if lead in ids else -1,
        offer_bias=np.array([lead_actor.bias.get(p, 0.0) if lead_actor else 0.0 for p in parties]),
        offer_great_power=float(lead_actor.is_great_power) if lead_actor else 0.0,
        offer_standing=np.array([lead_actor.standing.get(p, 0.0) if lead_actor else 0.0 for p in parties]),
        gp_bias=np.array([[g.bias.get(p, 0.0) for p in parties] for g in gps], dtype=np.float64).reshape(
            -1, 2
        ),
        gp_leverages=np.array([g.leverage for g in gps], dtype=np.float64),
        spoiler_target=parties.index(scenario.spoiler_target()),
        schedule=schedule,
    )


def _offerer(scenario: Scenario, meds: list, initially: np.ndarray) -> str | None:
    """The actor whose offer the parties answer: the first of `initial_state.offers` that is
    enabled, else the first mediator engaged from the start, else none."""
    for a in scenario.initial_state.offers:
        if scenario.actor(a).active:
            return a
    for m, on in zip(meds, initially, strict=True):
        if on:
            return str(m.id)
    return None


def phase_parameters(scenario: Scenario) -> dict:
    """Phase durations are parameters too: expose them under `phase<id>_median_days`."""
    return {f"phase{ph.id}_median_days": ph.median_days for ph in scenario.process.phases}
