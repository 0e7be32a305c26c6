"""Seats of an exercise and the legal actions of each, drawn from the ladder's action catalogue
(`tashkent/data/ladder.yaml`, with its CAMEO codes) and the scenario (tracks, CBMs, mediators).

Every action says in `effect` what the adjudicating model does with it, so players know how their
choice enters the simulation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tashkent.errors import UserError
from tashkent.exercise.world import Orders
from tashkent.ladder import load_ladder
from tashkent.scenario.schema import TRACKS, Scenario

# Kashmiri civil society from each side of the Line of Control: seats that are not scenario actors.
CIVIL_SOCIETY = {
    "KCS-IN": "Kashmiri civil society (Indian-administered Jammu and Kashmir)",
    "KCS-PK": "Kashmiri civil society (Azad Jammu and Kashmir, Gilgit-Baltistan)",
}


@dataclass(frozen=True)
class Seat:
    id: str
    name: str
    role: str  # "party", "mediator", "great_power", "civil_society", "observer"


@dataclass(frozen=True)
class LegalAction:
    id: str
    label: str
    kind: str  # escalate, signal, deescalate, lift, hold, accept, refuse, engage, cbm, statement
    tier: str
    cameo: tuple[str, ...]
    effect: str
    rung: int | None = None
    track: str | None = None
    cbm: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "tier": self.tier,
            "cameo": list(self.cameo),
            "effect": self.effect,
            "rung": self.rung,
            "track": self.track,
        }


def available_seats(scenario: Scenario) -> list[Seat]:
    """Every state or organisation of the scenario, plus, for India–Pakistan, a Kashmiri
    civil-society seat for each side of the Line of Control."""
    out = []
    for a in scenario.actors:
        if a.kind == "non_state":
            continue  # spoilers strike through the model and the white cell's injects
        if "party" in a.roles:
            role = "party"
        elif {"mediator", "co_facilitator"} & set(a.roles):
            role = "mediator"
        elif "great_power" in a.roles:
            role = "great_power"
        else:
            role = "observer"
        out.append(Seat(a.id, a.name, role))
    if set(scenario.parties) == {"IND", "PAK"}:  # Kashmiri voices from both sides of the LoC
        out += [Seat(k, v, "civil_society") for k, v in CIVIL_SOCIETY.items()]
    return out


def seat_by_id(scenario: Scenario, seat_id: str) -> Seat:
    for s in available_seats(scenario):
        if s.id == seat_id:
            return s
    names = ", ".join(s.id for s in available_seats(scenario))
    raise UserError(f"seat {seat_id!r}: not a seat of {scenario.name}; choose from {names}")


def _ladder_action(aid: str, kind: str, effect: str, **kw: Any) -> LegalAction:
    a = load_ladder().action(aid)
    return LegalAction(
        id=kw.pop("id", aid),
        label=kw.pop("label", a.label),
        kind=kind,
        tier=a.tier,
        cameo=a.cameo,
        effect=effect,
        **kw,
    )


def _ceasefire_rung(scenario: Scenario) -> str:
    """The scenario's ceasefire rung with its name, for the action's effect text."""
    r = int(scenario.parameters["ceasefire_rung"].value)
    return f"{r}, {load_ladder().rung_names[r]}"


def legal_actions(scenario: Scenario, seat: Seat) -> list[LegalAction]:
    """The actions a seat may choose this turn (all turns offer the same menu)."""
    ladder = load_ladder()
    out: list[LegalAction] = []
    statement = _ladder_action(
        "appeal_restraint",
        "statement",
        "public statement on the record; the model's parties are not bound by it",
        label="Public statement: appeal for restraint and dialogue",
    )
    cbms = [
        _ladder_action(
            "cbm",
            "cbm",
            f"sponsors this CBM for the turn: trust grows at its scenario rate "
            f"({c.trust_gain_per_year:.2f}/year) on top of the model's, where its preconditions hold",
            id=f"cbm:{c.id}",
            label=f"Confidence-building measure: {c.name}",
            cbm=c.id,
        )
        for c in scenario.process.cbms
    ]
    if seat.role == "party":
        for a in ladder.actions:
            if isinstance(a.rung, int):
                out.append(
                    _ladder_action(
                        a.id,
                        "escalate",
                        f"your escalation move each crisis day is to climb toward rung {a.rung} "
                        f"({ladder.rung_names[a.rung]}), one rung a day, then hold; opens a crisis if none",
                        rung=a.rung,
                    )
                )
        out.append(
            _ladder_action(
                "nuclear_signal", "signal", "sets the nuclear-signalling flag (opens a crisis if none)"
            )
        )
        measures = " and ".join(ladder.rung_names[r] for r in ladder.measure_rungs())
        out.append(
            _ladder_action(
                "ceasefire",
                "deescalate",
                "in a crisis you stop firing and striking: your move each crisis day is to step down to "
                f"the scenario's ceasefire rung ({_ceasefire_rung(scenario)}), then hold; standing "
                f"{measures} measures stay in force. If both parties order it, it is the hotline "
                "ceasefire and the crisis ends at the model's post-ceasefire rate",
            )
        )
        out.append(
            _ladder_action(
                "lift_measure",
                "lift",
                f"lifts one standing {measures} measure this turn (the rung falls one step), "
                "now or as soon as mobilisation and fire have ended; combine it with a ceasefire "
                "or talks, which set your daily move",
            )
        )
        out.append(
            _ladder_action(
                "talks", "hold", "you hold at the current rung this turn (neither climb nor step down)"
            )
        )
        for t in TRACKS:
            out.append(
                _ladder_action(
                    "accept_mediation",
                    "accept",
                    f"you accept Track {t} for the whole turn (overrides the model's acceptance and, for the "
                    "consent holder, the consent gate)",
                    id=f"accept:{t}",
                    label=f"Accept Track {t} dialogue",
                    track=t,
                )
            )
            out.append(
                _ladder_action(
                    "reject_mediation",
                    "refuse",
                    f"you refuse Track {t} for the whole turn; a phase that needs it falls back",
                    id=f"refuse:{t}",
                    label=f"Refuse Track {t} dialogue",
                    track=t,
                )
            )
        out += cbms
    elif seat.role == "great_power":
        engage = (
            "great-power crisis management fully engaged for the turn "
            "(gp_engagement at the top of its prior, 1.0): restraint on escalation and ceasefire pressure"
        )
        out.append(
            _ladder_action(
                "appeal_restraint", "engage", engage, label="Crisis diplomacy: press both for restraint"
            )
        )
        out.append(_ladder_action("mediate", "engage", engage, label="Calls and shuttles between capitals"))
        out += cbms
    elif seat.role == "mediator":
        engage = "engages you for the turn: your credibility and leverage count in the model's restraint, "
        out.append(_ladder_action("offer_mediation", "engage", engage + "coverage and ceasefire terms"))
        out.append(
            _ladder_action(
                "mediate",
                "engage",
                engage + "coverage and ceasefire terms",
                label="Shuttle between capitals / mediate",
            )
        )
        out.append(_ladder_action("appeal_restraint", "engage", engage + "as a call for restraint"))
        out += cbms
    else:
        out += cbms
    if all(a.id != statement.id for a in out):  # a mediator's appeal for restraint is already an action
        out.append(statement)
    return out


def action_by_id(scenario: Scenario, seat: Seat, action_id: str) -> LegalAction:
    for a in legal_actions(scenario, seat):
        if a.id == action_id:
            return a
    raise UserError(f"action {action_id!r}: not a legal action for seat {seat.id}; GET the actions list")


def orders_from_moves(scenario: Scenario, moves: list[tuple[str, str]]) -> Orders:
    """The model's orders from the turn's moves (seat, action id) in the order they were made: a
    later posture or track choice of the same seat replaces an earlier one."""
    parties = scenario.parties
    mediators = [m.id for m in scenario.mediators()]
    orders = Orders()
    for seat_id, action_id in moves:
        seat = seat_by_id(scenario, seat_id)
        a = action_by_id(scenario, seat, action_id)
        if seat.role == "party":
            i = parties.index(seat.id)
            if a.kind == "escalate":
                orders.posture[i] = ("escalate", int(a.rung or 0))
            elif a.kind in ("deescalate", "hold"):
                orders.posture[i] = (a.kind, 0)
            elif a.kind == "lift":
                orders.lift.add(i)
            elif a.kind == "signal":
                orders.signal.add(i)
            elif a.kind in ("accept", "refuse"):
                orders.accept[(i, TRACKS.index(a.track))] = a.kind == "accept"
        if a.kind == "engage" and seat.id in mediators:
            orders.engage.add(mediators.index(seat.id))
        elif a.kind == "engage" and seat.role == "great_power":
            orders.gp_engagement = 1.0
        if a.kind == "cbm" and a.cbm and a.cbm not in orders.cbms:
            orders.cbms.append(a.cbm)
    return orders
