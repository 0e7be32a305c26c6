"""Exercise operations on the store: create, authenticate, view, move, inject, advance, score
packages, end, after-action. The web layer calls these and maps their errors to HTTP statuses.

Tokens are 32 random bytes (URL-safe), stored only as SHA-256 digests: with that much entropy a
salt or a slow hash adds nothing, and a stolen database reveals no usable token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tashkent.errors import UserError
from tashkent.exercise import inputs
from tashkent.exercise import seats as seats_mod
from tashkent.exercise import world as world_mod
from tashkent.exercise.runner import Runner, adjudicate_turn, inline, opening_forecast
from tashkent.scenario.schema import Scenario, ScheduledEvent
from tashkent.sim.context import build_context
from tashkent.store.exercises import (
    ExerciseRow,
    ExerciseStore,
    InjectRow,
    MoveRow,
    PositionRow,
    ScoreRow,
    SeatRow,
    TurnRow,
    utcnow,
)

FACILITATOR = "facilitator"
INJECT_KINDS = ("attack", "trust_shock", "bias_shift", "join", "leave", "great_power", "statement")


class ExerciseError(Exception):
    """An error with the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(ExerciseError):
    status = 401


class Forbidden(ExerciseError):
    status = 403


class NotFound(ExerciseError):
    status = 404


class Conflict(ExerciseError):
    status = 409


class Invalid(ExerciseError):
    status = 422


@dataclass(frozen=True)
class Caller:
    exercise_id: str
    role: str  # "facilitator" or "seat"
    seat: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _scenario(name: str) -> Scenario:
    try:
        return inputs.scenario(name)
    except UserError as exc:
        raise Invalid(exc.message) from None


def brief(sc: Scenario, seat: seats_mod.Seat) -> str:
    """The seat's private brief: what the scenario file says of its interests and constraints."""
    if seat.role == "civil_society":
        side = "Indian" if seat.id.endswith("IN") else "Pakistani"
        return (
            f"You speak for civil society on the {side}-administered side of the Line of Control. "
            "You have no army and no veto; you have standing with both publics, the Track II "
            "networks and the mediators. Sponsor confidence-building measures, make statements, and "
            "score the governance packages in phase 2 from your constituents' interests."
        )
    a = sc.actor(seat.id)
    lines = [f"{a.name}. Capability {a.capability:.2f}; nuclear: {'yes' if a.nuclear else 'no'}."]
    if seat.role == "party":
        i = sc.parties.index(a.id)
        for track in ("II", "1.5", "I"):
            key = f"audience_cost_{a.id}_{track.replace('.', '_')}"
            if key in sc.parameters:
                lines.append(f"Domestic cost of accepting Track {track}: {sc.parameters[key].value:.2f}.")
        if sc.process.consent_holder == a.id:
            lines.append(
                "You hold the consent gate: no official track (1.5, I) runs unless you accept it "
                "(Simla Agreement 1972, clause (ii))."
            )
        prov = sc.initial_state.provocation.get(a.id)
        if prov is not None:
            lines.append(f"Provocation felt at the start: {prov:.2f}.")
        lines.append(f"You are party {i + 1} of the dyad.")
    if a.bias:
        lines.append("Leaning: " + ", ".join(f"{k} {v:+.2f}" for k, v in a.bias.items()) + ".")
    if a.leverage:
        lines.append(f"Leverage {a.leverage:.2f}; war aversion {a.war_aversion:.2f}.")
    lines.append(f"Source of this profile: {a.source}")
    return " ".join(lines)


def create(
    store: ExerciseStore,
    scenario_name: str,
    seat_ids: list[str],
    title: str = "",
    turn_days: int = 30,
    seed: int = 20251120,
    run: Runner = inline,
) -> dict[str, Any]:
    """A new exercise; returns the only copy of its tokens. The opening forecast runs through
    `run` (`tashkent.exercise.runner`)."""
    sc = _scenario(scenario_name)
    if not seat_ids:
        raise Invalid('seats: give at least one seat, e.g. ["IND", "PAK", "RUS"]')
    if len(set(seat_ids)) != len(seat_ids):
        raise Invalid("seats: a seat is listed twice")
    if not 1 <= int(turn_days) <= 365:
        raise Invalid(f"turn_days {turn_days}: must be between 1 and 365")
    if not 0 <= int(seed) < 2**31:
        raise Invalid(f"seed {seed}: must be between 0 and 2^31 - 1")
    chosen = []
    for sid in seat_ids:
        try:
            chosen.append(seats_mod.seat_by_id(sc, sid))
        except UserError as exc:
            raise Invalid(exc.message) from None
    world = world_mod.world_from_scenario(sc)
    ahead = run(opening_forecast, scenario_name, world, int(seed) + 1)
    ex_id = secrets.token_hex(8)
    fac = new_token()
    tokens = {s.id: new_token() for s in chosen}
    with store.writing() as s:
        s.add(
            ExerciseRow(
                id=ex_id,
                created=utcnow(),
                title=title or f"{sc.name} exercise",
                scenario=scenario_name,
                turn=0,
                turn_days=int(turn_days),
                seed=int(seed),
                status="open",
                facilitator_hash=hash_token(fac),
                world=world,
                ahead=ahead,
            )
        )
        s.flush()
        for seat in chosen:
            s.add(
                SeatRow(
                    exercise_id=ex_id,
                    seat=seat.id,
                    name=seat.name,
                    role=seat.role,
                    token_hash=hash_token(tokens[seat.id]),
                    brief=brief(sc, seat),
                )
            )
    return {"id": ex_id, "facilitator_token": fac, "seat_tokens": tokens, "turn": 0}


def authenticate(store: ExerciseStore, exercise_id: str, token: str | None) -> Caller:
    """Who holds this token for this exercise: 401 without a valid token, 403 for a token of
    another exercise, 404 for an unknown exercise."""
    if not token:
        raise Unauthenticated("missing token: send Authorization: Bearer TOKEN")
    h = hash_token(token)
    with store.reading() as s:
        ex = s.get(ExerciseRow, exercise_id)
        if ex is not None and secrets.compare_digest(ex.facilitator_hash, h):
            return Caller(exercise_id, FACILITATOR)
        seat = s.scalars(select(SeatRow).where(SeatRow.token_hash == h)).first()
        if seat is not None and seat.exercise_id == exercise_id:
            return Caller(exercise_id, "seat", seat.seat)
        other = (
            seat is not None
            or s.scalars(select(ExerciseRow.id).where(ExerciseRow.facilitator_hash == h)).first()
        )
    if other:
        raise Forbidden("this token belongs to another exercise")
    if ex is None:
        raise NotFound(f"no exercise {exercise_id!r}")
    raise Unauthenticated("unknown token")


def _exercise(s: Any, exercise_id: str, lock: bool = False) -> ExerciseRow:
    q = select(ExerciseRow).where(ExerciseRow.id == exercise_id)
    if lock:
        q = q.with_for_update()
    ex = s.scalars(q).first()
    if ex is None:
        raise NotFound(f"no exercise {exercise_id!r}")
    return ex


def _date(sc: Scenario, turn: int, turn_days: int) -> str:
    return (sc.start_date + dt.timedelta(days=turn * turn_days)).isoformat()


def _move_json(m: MoveRow, labels: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    a = labels.get((m.seat, m.action), {})
    return {
        "id": m.id,
        "turn": m.turn,
        "seat": m.seat,
        "action": m.action,
        "label": a.get("label", m.action),
        "cameo": a.get("cameo", []),
        "tier": a.get("tier"),
        "note": m.note,
        "at": m.created.isoformat(timespec="seconds"),
    }


def _labels(sc: Scenario, seat_rows: list[SeatRow]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for r in seat_rows:
        seat = seats_mod.Seat(r.seat, r.name, r.role)
        for a in seats_mod.legal_actions(sc, seat):
            out[(r.seat, a.id)] = a.to_json()
    return out


def view(store: ExerciseStore, caller: Caller) -> dict[str, Any]:
    """The caller's view: the shared state for everybody, the caller's own brief and moves, and
    (for the facilitator) every seat's moves of the open turn."""
    with store.reading() as s:
        ex = _exercise(s, caller.exercise_id)
        seat_rows = list(
            s.scalars(select(SeatRow).where(SeatRow.exercise_id == ex.id).order_by(SeatRow.seat))
        )
        moves = list(
            s.scalars(
                select(MoveRow)
                .where(MoveRow.exercise_id == ex.id, MoveRow.turn == ex.turn)
                .order_by(MoveRow.id)
            )
        )
        injects = list(
            s.scalars(
                select(InjectRow)
                .where(InjectRow.exercise_id == ex.id, InjectRow.turn == ex.turn)
                .order_by(InjectRow.id)
            )
        )
        last = s.scalars(
            select(TurnRow)
            .where(TurnRow.exercise_id == ex.id, TurnRow.result.is_not(None))
            .order_by(TurnRow.turn.desc())
            .limit(1)
        ).first()
        adjudicating = s.scalars(
            select(TurnRow.turn).where(TurnRow.exercise_id == ex.id, TurnRow.result.is_(None))
        ).first()
        scores = list(s.scalars(select(ScoreRow).where(ScoreRow.exercise_id == ex.id)))
    sc = _scenario(ex.scenario)
    ctx = build_context(sc)
    labels = _labels(sc, seat_rows)
    moved = {m.seat for m in moves}
    out: dict[str, Any] = {
        "id": ex.id,
        "title": ex.title,
        "scenario": ex.scenario,
        "status": ex.status,
        "turn": ex.turn,
        "turn_days": ex.turn_days,
        "date": _date(sc, ex.turn, ex.turn_days),
        "parties": list(sc.parties),
        "you": {"role": caller.role, "seat": caller.seat},
        "seats": [
            {"seat": r.seat, "name": r.name, "role": r.role, "moved_this_turn": r.seat in moved}
            for r in seat_rows
        ],
        "shared": world_mod.world_summary(ex.world, sc.parties, ctx),
        "forecast_ahead": ex.ahead,
        "last_turn": _public_turn(last.result) if last and last.result else None,
        "adjudicating": adjudicating,
    }
    if caller.role == FACILITATOR:
        out["moves"] = [_move_json(m, labels) for m in moves]
        out["injects"] = [i.event for i in injects]
        out["package_scores"] = [{"seat": r.seat, "package": r.package, "score": r.score} for r in scores]
    else:
        mine = next(r for r in seat_rows if r.seat == caller.seat)
        out["you"].update({"name": mine.name, "role_in_exercise": mine.role, "brief": mine.brief})
        out["moves"] = [_move_json(m, labels) for m in moves if m.seat == caller.seat]
        out["package_scores"] = [
            {"seat": r.seat, "package": r.package, "score": r.score} for r in scores if r.seat == caller.seat
        ]
    return out


def _public_turn(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "world"}


def actions(store: ExerciseStore, caller: Caller) -> list[dict[str, Any]]:
    if caller.role != "seat" or caller.seat is None:
        raise Forbidden("only a seat has actions; use a seat's token")
    with store.reading() as s:
        ex = _exercise(s, caller.exercise_id)
        row = s.get(SeatRow, (ex.id, caller.seat))
    assert row is not None
    sc = _scenario(ex.scenario)
    return [a.to_json() for a in seats_mod.legal_actions(sc, seats_mod.Seat(row.seat, row.name, row.role))]


def move(store: ExerciseStore, caller: Caller, seat: str, action: str, note: str = "") -> dict[str, Any]:
    """Record a seat's move in the open turn (the turn current when the write commits)."""
    if caller.role != "seat" or caller.seat != seat:
        raise Forbidden(f"this token cannot move for seat {seat!r}; each seat moves only for itself")
    if len(note) > 500:
        raise Invalid("note: at most 500 characters")
    with store.writing() as s:
        ex = _exercise(s, caller.exercise_id, lock=True)
        if ex.status != "open":
            raise Conflict("the exercise has ended; no more moves")
        row = s.get(SeatRow, (ex.id, seat))
        assert row is not None
        sc = _scenario(ex.scenario)
        try:
            a = seats_mod.action_by_id(sc, seats_mod.Seat(row.seat, row.name, row.role), action)
        except UserError as exc:
            raise Invalid(exc.message) from None
        m = MoveRow(exercise_id=ex.id, turn=ex.turn, seat=seat, action=a.id, note=note, created=utcnow())
        s.add(m)
        s.flush()
        return {
            "id": m.id,
            "turn": m.turn,
            "seat": seat,
            "action": a.id,
            "label": a.label,
            "cameo": list(a.cameo),
        }


def inject(store: ExerciseStore, caller: Caller, event: dict[str, Any]) -> dict[str, Any]:
    """The white cell injects an event into the open turn (applied on its first day)."""
    if caller.role != FACILITATOR:
        raise Forbidden("only the facilitator injects events")
    kind = event.get("kind")
    if kind not in INJECT_KINDS:
        raise Invalid(f"kind {kind!r}: choose one of {', '.join(INJECT_KINDS)}")
    with store.writing() as s:
        ex = _exercise(s, caller.exercise_id, lock=True)
        if ex.status != "open":
            raise Conflict("the exercise has ended")
        sc = _scenario(ex.scenario)
        clean: dict[str, Any] = {"kind": kind, "note": str(event.get("note", ""))[:500]}
        if kind == "great_power":
            try:
                level = float(event.get("engagement"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise Invalid("engagement: a great power's move needs a level between 0 and 1") from None
            if not 0.0 <= level <= 1.0:
                raise Invalid(f"engagement {level}: must be between 0 (stand aside) and 1 (fully engaged)")
            clean["engagement"] = level
        elif kind != "statement":
            fields = {
                k: event.get(k)
                for k in ("actor", "target", "fatalities", "delta")
                if event.get(k) is not None
            }
            try:
                ev = ScheduledEvent.model_validate(
                    {"date": _date(sc, ex.turn, ex.turn_days), "kind": kind, **fields, "note": clean["note"]}
                )
            except Exception as exc:  # pydantic's message names the field
                raise Invalid(f"inject: {str(exc).splitlines()[-1].strip()}") from None
            ids = [m.id for m in sc.mediators()]
            for k in ("actor", "target"):
                v = getattr(ev, k)
                if v is not None and v not in {a.id for a in sc.actors}:
                    raise Invalid(f"{k} {v!r}: not an actor of {sc.name}")
            if kind == "attack" and ev.target not in sc.parties:
                raise Invalid(
                    f"target {ev.target!r}: an attack strikes one of the parties {', '.join(sc.parties)}"
                )
            if kind in ("join", "leave", "bias_shift") and ev.actor not in ids:
                raise Invalid(f"actor {ev.actor!r}: must be a mediator or co-facilitator ({', '.join(ids)})")
            if kind == "bias_shift" and ev.target not in sc.parties:
                raise Invalid(f"target {ev.target!r}: must be a party")
            clean.update(ev.model_dump(mode="json", exclude={"date", "source"}))
        s.add(InjectRow(exercise_id=ex.id, turn=ex.turn, event=clean, created=utcnow()))
        return {"turn": ex.turn, "event": clean}


def _model_events(sc: Scenario, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Injects in the stepper's schedule form (indices resolved); statements carry no model effect."""
    ids = [m.id for m in sc.mediators()]
    out = []
    for e in events:
        if e["kind"] in ("statement", "great_power"):
            continue
        out.append(
            {
                **e,
                "mediator_index": ids.index(e["actor"]) if e.get("actor") in ids else None,
                "target_index": sc.parties.index(e["target"]) if e.get("target") in sc.parties else None,
            }
        )
    return out


def divergences(
    sc: Scenario, moves: list[dict[str, Any]], world_before: dict[str, Any], expected: dict[str, Any]
) -> list[dict[str, Any]]:
    """Where the players' choices differ from what the model expected of those actors this turn:
    the model's probability of the outcome each party's choice aims at (< 0.25 flags a divergence)."""
    out = []
    rung0 = int(world_before["rung"]["value"])
    for m in moves:
        if m["seat"] not in sc.parties:
            continue
        a = m["action"]
        p: float | None = None
        text = ""
        if m.get("rung") is not None:
            r = int(m["rung"])
            p = expected["p_max_rung_ge"][r]
            text = f"the model's dyad reached rung {r} or higher in {p:.0%} of runs"
        elif a == "lift_measure" and rung0 > 0:
            p = sum(expected["rung"][:rung0])
            text = f"the model's dyad ended the turn below rung {rung0} in {p:.0%} of runs"
        elif a in ("ceasefire", "lift_measure", "talks"):
            p = 1.0 - expected["p_max_rung_ge"][min(rung0 + 1, 6)] if rung0 < 6 else 1.0
            text = f"the model's dyad did not climb above rung {rung0} in {p:.0%} of runs"
        elif a.startswith(("accept:", "refuse:")):
            track = a.split(":", 1)[1]
            pa = expected["p_accept"][m["seat"]][track]
            p = pa if a.startswith("accept:") else 1.0 - pa
            verb = "accepted" if a.startswith("accept:") else "refused"
            text = f"the model's {m['seat']} {verb} Track {track} in {p:.0%} of runs"
        if p is not None:
            out.append(
                {"seat": m["seat"], "action": a, "model_probability": p, "diverged": p < 0.25, "text": text}
            )
    return out


STALE = dt.timedelta(minutes=2)  # a turn closed this long ago without a result was left by a crash


def advance(store: ExerciseStore, caller: Caller, run: Runner = inline) -> dict[str, Any]:
    """Close the open turn and adjudicate it. Closing is one short transaction (the turn's moves
    and injects are fixed, a pending result row is written, the next turn opens for moves); the
    model then runs without holding the database, and a second transaction stores the outcome. A
    crash in between leaves the pending row, which `recover` (at start-up) or the next advance
    completes with the same seed, hence the same outcome."""
    if caller.role != FACILITATOR:
        raise Forbidden("only the facilitator closes a turn")
    stale = None
    with store.writing() as s:
        ex = _exercise(s, caller.exercise_id, lock=True)
        if ex.status != "open":
            raise Conflict("the exercise has ended")
        pending = s.scalars(
            select(TurnRow).where(TurnRow.exercise_id == ex.id, TurnRow.result.is_(None))
        ).first()
        if pending is not None and pending.created > utcnow() - STALE:
            raise Conflict(f"turn {pending.turn} is being adjudicated; try again in a moment")
        if pending is not None:
            stale = pending.turn
    if stale is not None:
        complete(store, caller.exercise_id, stale, run)
    with store.writing() as s:
        ex = _exercise(s, caller.exercise_id, lock=True)
        turn = ex.turn
        s.add(TurnRow(exercise_id=ex.id, turn=turn, created=utcnow(), result=None))
        ex.turn = turn + 1
    result = complete(store, caller.exercise_id, turn, run)
    out = _public_turn(result)
    out["new_turn"] = turn + 1
    return out


def complete(store: ExerciseStore, exercise_id: str, turn: int, run: Runner = inline) -> dict[str, Any]:
    """Adjudicate a closed turn from the world as it stood before it (the model runs through
    `run`), and store the outcome."""
    with store.reading() as s:
        ex = _exercise(s, exercise_id)
        sc = _scenario(ex.scenario)
        seat_rows = list(s.scalars(select(SeatRow).where(SeatRow.exercise_id == ex.id)))
        moves = list(
            s.scalars(
                select(MoveRow).where(MoveRow.exercise_id == ex.id, MoveRow.turn == turn).order_by(MoveRow.id)
            )
        )
        injects = [
            i.event
            for i in s.scalars(
                select(InjectRow)
                .where(InjectRow.exercise_id == ex.id, InjectRow.turn == turn)
                .order_by(InjectRow.id)
            )
        ]
        world_before, turn_days, seed0 = ex.world, ex.turn_days, ex.seed
    labels = _labels(sc, seat_rows)
    orders = seats_mod.orders_from_moves(sc, [(m.seat, m.action) for m in moves])
    orders.injects = _model_events(sc, injects)
    for e in injects:  # a great power's move, unless a great-power seat chose for itself
        if e["kind"] == "great_power" and orders.gp_engagement is None:
            orders.gp_engagement = float(e["engagement"])
    res = run(
        adjudicate_turn, ex.scenario, world_before, turn * turn_days, turn_days, orders, seed0 * 1000 + turn
    )
    move_json = [
        {**_move_json(m, labels), "rung": labels.get((m.seat, m.action), {}).get("rung")} for m in moves
    ]
    ctx = build_context(sc)
    result = {
        "turn": turn,
        "from_date": _date(sc, turn, turn_days),
        "to_date": _date(sc, turn + 1, turn_days),
        "moves": move_json,
        "injects": injects,
        "before": world_mod.world_summary(world_before, sc.parties, ctx),
        "after": world_mod.world_summary(res["world"], sc.parties, ctx),
        "happened": res["happened"],
        "ensemble": res["ensemble"],
        "model_expected": res["model_expected"],
        "ahead": res["ahead"],
        "divergences": divergences(sc, move_json, world_before, res["model_expected"]),
        "world": res["world"],
    }
    with store.writing() as s:
        ex = _exercise(s, exercise_id, lock=True)
        row = s.get(TurnRow, (exercise_id, turn))
        if row is None:
            return result
        if row.result is not None:  # completed meanwhile by a recovery: the same outcome
            return dict(row.result)
        row.result = result
        ex.world, ex.ahead = res["world"], res["ahead"]
    return result


def recover(store: ExerciseStore) -> int:
    """Complete every turn left closed but unadjudicated by a stopped server; return how many."""
    with store.reading() as s:
        pending = [
            (r.exercise_id, r.turn) for r in s.scalars(select(TurnRow).where(TurnRow.result.is_(None)))
        ]
    for exercise_id, turn in sorted(pending, key=lambda x: x[1]):
        complete(store, exercise_id, turn)
    return len(pending)


def end(store: ExerciseStore, caller: Caller) -> dict[str, Any]:
    if caller.role != FACILITATOR:
        raise Forbidden("only the facilitator ends the exercise")
    with store.writing() as s:
        ex = _exercise(s, caller.exercise_id, lock=True)
        ex.status = "ended"
        return {"id": ex.id, "status": "ended", "turn": ex.turn}


def reissue(store: ExerciseStore, caller: Caller, seat: str) -> dict[str, Any]:
    """A new token for a seat whose join link was lost (the old one stops working)."""
    if caller.role != FACILITATOR:
        raise Forbidden("only the facilitator reissues seat tokens")
    token = new_token()
    with store.writing() as s:
        row = s.get(SeatRow, (caller.exercise_id, seat))
        if row is None:
            raise NotFound(f"no seat {seat!r} in this exercise")
        row.token_hash = hash_token(token)
    return {"seat": seat, "token": token}


def no_packages(sc: Scenario) -> str | None:
    """Why a scenario has no governance-model exercise (None when it has one)."""
    if sc.bargaining is None:
        return f"{sc.name} has no bargaining section, so there are no governance packages to score."
    if not sc.bargaining.packages:
        return f"The bargaining section of {sc.name} lists no packages to score."
    return None


HOW_TO_ADD_PACKAGES = (
    "Give the scenario file a `bargaining:` section: the settlement dimensions (each on a 0–100 scale), "
    "every actor's capability and its position and salience on each dimension, and the governance "
    "packages to score, each with a source. The built-in kashmir-2025 scenario has one to start from "
    "(`tashkent scenario export kashmir-2025 > my.yaml`); `tashkent packages my.yaml` checks the section, "
    "and an exercise created from that scenario then has this page."
)


def _packages_or_refuse(sc: Scenario) -> None:
    why = no_packages(sc)
    if why is not None:
        raise Conflict(f"{why} {HOW_TO_ADD_PACKAGES}")


def governance(store: ExerciseStore, caller: Caller) -> dict[str, Any]:
    """Phase-2 governance-model exercise: the bargaining engine's packages, zone of agreement,
    Nash and Kalai–Smorodinsky points, beside the seats' own scores (a seat sees its own; the
    facilitator sees all; everybody sees the mean per package). A scenario without packages gives
    `available: false` and says how to add them."""
    with store.reading() as s:
        ex = _exercise(s, caller.exercise_id)
        scores = list(s.scalars(select(ScoreRow).where(ScoreRow.exercise_id == ex.id)))
        stated = list(s.scalars(select(PositionRow).where(PositionRow.exercise_id == ex.id)))
    why = no_packages(_scenario(ex.scenario))
    if why is not None:
        return {"available": False, "scenario": ex.scenario, "reason": why, "how_to_add": HOW_TO_ADD_PACKAGES}
    analysis = inputs.package_analysis(ex.scenario)
    positions: dict[str, dict[str, float]] = {}
    for row in stated:
        positions.setdefault(row.seat, {})[row.dimension] = row.position
    by_pkg: dict[str, list[float]] = {}
    for r in scores:
        by_pkg.setdefault(r.package, []).append(r.score)
    visible = [r for r in scores if caller.role == FACILITATOR or r.seat == caller.seat]
    players_nash = None
    p0, p1 = analysis["parties"]
    pa = {r.package: r.score for r in scores if r.seat == p0}
    pb = {r.package: r.score for r in scores if r.seat == p1}
    common = sorted(set(pa) & set(pb))
    if common:
        best = max(common, key=lambda k: pa[k] * pb[k])
        players_nash = {"package": best, "product": pa[best] * pb[best], p0: pa[best], p1: pb[best]}
    return {
        "available": True,
        "scenario": ex.scenario,
        "analysis": analysis,
        "scores": [{"seat": r.seat, "package": r.package, "score": r.score} for r in visible],
        "mean_scores": {k: sum(v) / len(v) for k, v in by_pkg.items()},
        "n_scored": len({r.seat for r in scores}),
        "players_nash": players_nash,
        "positions": {k: v for k, v in positions.items() if caller.role == FACILITATOR or k == caller.seat},
        "players": inputs.players_solutions(ex.scenario, positions) if positions else None,
    }


def _numbers(
    values: dict[str, Any], allowed: set[str], unknown: Callable[[str], str], label: str, top: float
) -> dict[str, float]:
    """A seat's numbers by key, each key in `allowed` and each value a number in [0, top]; `unknown`
    says what a key that is not allowed is not."""
    clean: dict[str, float] = {}
    for k, v in values.items():
        if k not in allowed:
            raise Invalid(f"{unknown(k)}; choose from {', '.join(sorted(allowed))}")
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise Invalid(f"{label} {k}: {v!r} is not a number") from None
        if not 0.0 <= x <= top:
            raise Invalid(f"{label} {k}: {x} must be between 0 and {top:g}")
        clean[k] = x
    return clean


def _governance_scenario(store: ExerciseStore, caller: Caller, verb: str) -> str:
    """The scenario of a seat's governance-model exercise (refused for the facilitator and for a
    scenario without packages)."""
    if caller.role != "seat" or caller.seat is None:
        raise Forbidden(f"only a seat {verb}")
    with store.reading() as s:
        name = _exercise(s, caller.exercise_id).scenario
    _packages_or_refuse(_scenario(name))
    return name


def _save_seat_numbers(
    store: ExerciseStore, caller: Caller, row_type: Any, key: str, value: str, clean: dict[str, float]
) -> None:
    """Store a seat's numbers by key in one transaction; a later value replaces an earlier one."""
    with store.writing() as s:
        for k, x in clean.items():
            row = s.get(row_type, (caller.exercise_id, caller.seat, k))
            if row is None:
                s.add(
                    row_type(
                        exercise_id=caller.exercise_id,
                        seat=caller.seat,
                        created=utcnow(),
                        **{key: k, value: x},
                    )
                )
            else:
                setattr(row, value, x)
                row.created = utcnow()


def state_positions(store: ExerciseStore, caller: Caller, positions: dict[str, Any]) -> dict[str, Any]:
    """A seat states its position (0–100) on settlement dimensions (a later one replaces it)."""
    name = _governance_scenario(store, caller, "states positions")
    dims = {d["id"] for d in inputs.dimensions(name)}
    clean = _numbers(
        positions, dims, lambda k: f"dimension {k!r}: not a settlement dimension", "position on", 100.0
    )
    _save_seat_numbers(store, caller, PositionRow, "dimension", "position", clean)
    return {"seat": caller.seat, "positions": clean}


def score_packages(store: ExerciseStore, caller: Caller, scores: dict[str, Any]) -> dict[str, Any]:
    """A seat scores settlement packages 0–10 (a later score replaces an earlier one)."""
    name = _governance_scenario(store, caller, "scores packages")
    ids = {p["id"] for p in inputs.package_analysis(name)["packages"] if p["kind"] == "package"}
    clean = _numbers(scores, ids, lambda k: f"package {k!r}: not a package of {name}", "score for", 10.0)
    _save_seat_numbers(store, caller, ScoreRow, "package", "score", clean)
    return {"seat": caller.seat, "scores": clean}


def after_action(store: ExerciseStore, caller: Caller) -> dict[str, Any]:
    """Timeline of moves and outcomes, the forecast turn by turn, and the divergences."""
    with store.reading() as s:
        ex = _exercise(s, caller.exercise_id)
        turns: list[dict[str, Any]] = [
            t.result
            for t in s.scalars(select(TurnRow).where(TurnRow.exercise_id == ex.id).order_by(TurnRow.turn))
            if t.result is not None
        ]
        seat_rows = list(
            s.scalars(select(SeatRow).where(SeatRow.exercise_id == ex.id).order_by(SeatRow.seat))
        )
        n_moves = s.scalar(select(func.count()).select_from(MoveRow).where(MoveRow.exercise_id == ex.id))
    sc = _scenario(ex.scenario)
    first = turns[0]["before"] if turns else world_mod.world_summary(ex.world, sc.parties, build_context(sc))
    series = [
        {
            "turn": t["turn"],
            "date": t["to_date"],
            "rung": t["after"]["rung"],
            "phase": t["after"]["phase"],
            "p_rung_ge_5_ahead": t["ahead"]["p_rung_ge_5"],
            "p_crisis_ahead": t["ahead"]["p_crisis"],
            "p_phase_ge_1_ahead": t["ahead"]["p_phase_ge_1"],
            "model_expected_mean_rung": t["model_expected"]["mean_rung"],
            "played_mean_rung": t["ensemble"]["mean_rung"],
        }
        for t in turns
    ]
    return {
        "exercise": {
            "id": ex.id,
            "title": ex.title,
            "scenario": ex.scenario,
            "turn_days": ex.turn_days,
            "seed": ex.seed,
            "status": ex.status,
            "turns_played": len(turns),
            "moves": int(n_moves or 0),
            "seats": [{"seat": r.seat, "name": r.name, "role": r.role} for r in seat_rows],
        },
        "start": first,
        "timeline": [_public_turn(t) for t in turns],
        "forecast_by_turn": series,
        "divergences": [d | {"turn": t["turn"]} for t in turns for d in t["divergences"]],
        "ahead_now": ex.ahead,
        "generated": utcnow().isoformat(timespec="seconds"),
    }


def list_exercises(store: ExerciseStore, limit: int = 100) -> list[dict[str, Any]]:
    """Public list for the home page (no tokens, no moves)."""
    with store.reading() as s:
        rows = list(s.scalars(select(ExerciseRow).order_by(ExerciseRow.created.desc()).limit(limit)))
        counts = dict(
            s.execute(select(SeatRow.exercise_id, func.count()).group_by(SeatRow.exercise_id)).all()
        )
    return [
        {
            "id": r.id,
            "title": r.title,
            "scenario": r.scenario,
            "turn": r.turn,
            "status": r.status,
            "seats": int(counts.get(r.id, 0)),
            "created": r.created.isoformat(timespec="seconds"),
        }
        for r in rows
    ]
