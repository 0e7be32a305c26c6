"""Nowcast: map events onto the simulation's initial state, with the evidence for every value.

`nowcast(events, as_of)` is a pure function; `initial_state_overlay(...)` reads event files or the
store and calls it. The rules are judgement, stated here and in docs/decisions/0404:

* **rung** — a crisis measure (a CAMEO code whose ladder action has a rung, from ladder.yaml)
  by India or Pakistan raises the standing rung to that action's rung. Diplomatic and economic
  measures (rungs 1–2) stay in force until a lifting event of the same kind (CAMEO
  081x/083/084/085, or "restored", "reopened", "lifted", "resumed" naming the same measure).
  Military rungs (3–5) end at a ceasefire (0871/087/0356) or lapse 30 days after their last
  event. The rung is the highest in force.
* **crisis_active / crisis_day** — a rung ≥ 3 event or a mass-casualty attack (root 18, or 19x
  with a fatality count in the text) against India or Pakistan in the last 60 days, and no ceasefire
  after the last such event. `crisis_day` counts from the first such event of the episode.
* **nuclear_signal** — in the active crisis window: a nuclear-signal action (ladder.yaml) or a
  missile test (15x with "missile" or "nuclear" in the text), both parties' ballistic missiles being
  nuclear-capable.
* **offers** — third parties with an offer of good offices (039, or 045 mediation) naming India
  or Pakistan in the last 365 days, not withdrawn (165 by the same party).
* **accept** — the latest 038 (accept) or 126 (reject mediation) by each party sets its
  acceptance of the official tracks ("1.5" and "I"); text naming Track II sets "II". Only
  tracks with evidence are given.
* **provocation** — each attack on a party (roots 18–20, or a rung ≥ 4 act) adds its severity,
  min(1, fatalities/25) with 0.2 for attacks without a count, decaying with a 30-day half-life.
* **trust** — 0.5 + mean Goldstein weight of India–Pakistan events over the last 90 days / 20,
  clipped to [0, 1].
* **phase** — explicit process evidence only: Track II (1), Track 1.5 (3), formal dialogue or
  negotiations between India and Pakistan (4), a signed framework agreement (5); talks suspended
  (164) by a party sets 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from tashkent.events.model import Event
from tashkent.events.taxonomy import action_for, rung_of

PARTIES = ("IND", "PAK")
CRISIS_WINDOW = 60
MILITARY_LAPSE = 30
OFFER_WINDOW = 365
TRUST_WINDOW = 90
PROVOCATION_HALF_LIFE = 30.0

_KINDS: dict[str, tuple[str, ...]] = {
    "suspend_treaty": ("treaty", "abeyance", "indus", "simla", "agreement"),
    "trade_ban": ("trade", "import", "export", "goods", "tariff", "transit", "ships", "port"),
    "visa_cut": ("visa", "mail", "parcel", "postal", "bus", "train", "flight", "travel"),
    "close_border": ("border", "crossing", "airspace", "attari", "wagah", "check post", "port"),
    "expel_diplomats": (
        "diplomat",
        "envoy",
        "high commission",
        "ambassador",
        "mission",
        "advis",
        "staff",
        "persona non grata",
    ),
    "suspend_dialogue": ("talks", "dialogue", "negotiation"),
    "protest": ("protest", "demarche", "démarche"),
}
_LIFT_CODES = {"081", "0811", "0812", "0813", "0814", "083", "084", "085", "086"}
_LIFT_WORDS = re.compile(
    r"\b(restor\w*|reopen\w*|re-open\w*|lift\w*|resum\w*|revok\w* the ban|"
    r"ended|eased|withdr\w* the (ban|suspension))\b",
    re.IGNORECASE,
)
_CEASEFIRE = {"0871", "087", "0356", "0872"}
_DEATHS = re.compile(
    r"(\d[\d,]*)\s+(?:people\s+|civilians\s+|tourists\s+|soldiers\s+|persons\s+)?"
    r"(?:were\s+|have\s+been\s+)?(?:killed|dead|died|deaths|fatalities)|"
    r"kill(?:ed|ing)\s+(?:at\s+least\s+)?(\d[\d,]*)",
    re.IGNORECASE,
)
_WORDNUM = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "dozens": 24,
}


@dataclass
class Nowcast:
    """The inferred initial state (keys of the scenario's `initial_state`; keys without evidence are
    omitted), the evidence for each key and the daily India–Pakistan series."""

    state: dict[str, Any]
    evidence: dict[str, list[dict[str, Any]]]
    series: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "evidence": self.evidence}


def evidence_of(e: Event) -> dict[str, Any]:
    return {
        "doc": e.doc,
        "sentence": e.sentence,
        "date": e.date.isoformat() if e.date else None,
        "cameo": e.cameo,
        "source": e.source.code if e.source else None,
        "target": e.target.code if e.target else None,
        "text": e.text,
    }


def _src(e: Event) -> str | None:
    return e.source.code if e.source else None


def _tgt(e: Event) -> str | None:
    return e.target.code if e.target else None


def _dyadic(e: Event) -> bool:
    return _src(e) in PARTIES and _tgt(e) in PARTIES and _src(e) != _tgt(e)


def _kind_of_text(text: str) -> set[str]:
    low = text.lower()
    return {k for k, words in _KINDS.items() if any(w in low for w in words)}


def fatalities(text: str) -> int | None:
    """The largest fatality count in a sentence ("26 killed", "killing 26"), if any."""
    best: int | None = None
    for m in _DEATHS.finditer(text):
        raw = (m.group(1) or m.group(2) or "").replace(",", "")
        if raw.isdigit():
            best = max(best or 0, int(raw))
    if best is None:
        m2 = re.search(
            r"\b(" + "|".join(_WORDNUM) + r")\s+(?:people\s+)?(?:were\s+)?killed",
            text,
            re.IGNORECASE,
        )
        if m2:
            best = _WORDNUM[m2.group(1).lower()]
    return best


def _is_attack_on_party(e: Event) -> bool:
    if _tgt(e) not in PARTIES:
        return False
    r = rung_of(e.cameo)
    return (
        e.root in ("18", "20")
        or (r is not None and r >= 4)
        or (e.root == "19" and fatalities(e.text) is not None)
    )


def daily_series(events: Iterable[Event], dyad: tuple[str, str] = ("IND", "PAK")) -> pd.DataFrame:
    """Daily dyadic conflict–cooperation series: Goldstein sum and counts by quad class."""
    rows = [(e.date, e.goldstein, e.quad) for e in events if e.date and {_src(e), _tgt(e)} == set(dyad)]
    cols = ["goldstein", "events", "quad1", "quad2", "quad3", "quad4"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows, columns=["date", "goldstein", "quad"])
    out = df.groupby("date").agg(goldstein=("goldstein", "sum"), events=("quad", "size"))
    for q in (1, 2, 3, 4):
        out[f"quad{q}"] = df[df["quad"] == q].groupby("date").size()
    return out.fillna(0).astype({f"quad{q}": int for q in (1, 2, 3, 4)})


def nowcast(events: Iterable[Event], as_of: date | None = None) -> Nowcast:
    """Infer the initial state from events up to `as_of` (default: the latest event date)."""
    evs = sorted((e for e in events if e.date is not None), key=lambda e: (e.date, e.sentence))
    if as_of is None:
        as_of = evs[-1].date if evs else date.today()
    assert as_of is not None
    evs = [e for e in evs if e.date is not None and e.date <= as_of]
    state: dict[str, Any] = {"date": as_of.isoformat()}
    evidence: dict[str, list[dict[str, Any]]] = {}

    def age(e: Event) -> int:
        assert e.date is not None
        return (as_of - e.date).days

    # --- standing rung ---------------------------------------------------------------------------
    active: dict[str, tuple[int, Event]] = {}
    lifted: list[Event] = []
    rung_seen = False
    for e in evs:
        if _src(e) not in PARTIES:
            continue
        if _tgt(e) is not None and _tgt(e) not in PARTIES:
            continue
        a = action_for(e.cameo)
        r = rung_of(e.cameo)
        if r is not None and a is not None and e.modality not in ("hypothetical", "negated"):
            active[a.id] = (r, e)
            rung_seen = True
        elif e.cameo in _CEASEFIRE:
            for k in [k for k, (rr, _) in active.items() if rr >= 3]:
                del active[k]
            lifted.append(e)
            rung_seen = True
        elif (
            e.cameo in _LIFT_CODES
            or (a is not None and a.id == "lift_measure")
            or (_LIFT_WORDS.search(e.text) and e.root in ("03", "05", "08"))
        ):
            kinds = _kind_of_text(e.span + " " + e.text) if e.text else set()
            if e.cameo == "085":
                kinds.add("trade_ban")
            hit = [k for k in active if k in kinds and active[k][0] <= 2]
            for k in hit:
                del active[k]
            if hit:
                lifted.append(e)
                rung_seen = True
        elif e.cameo == "046" and _dyadic(e) and "suspend_dialogue" in active:
            del active["suspend_dialogue"]
    for k in [k for k, (rr, ev) in active.items() if rr >= 3 and age(ev) > MILITARY_LAPSE]:
        del active[k]
    if rung_seen:
        state["rung"] = max((rr for rr, _ in active.values()), default=0)
        evidence["rung"] = [
            evidence_of(ev) for _, ev in sorted(active.values(), key=lambda t: (-t[0], t[1].date))
        ]
        evidence["rung"] += [evidence_of(ev) for ev in lifted[-3:]]

    # --- crisis ----------------------------------------------------------------------------------
    window = [e for e in evs if age(e) <= CRISIS_WINDOW]
    triggers = [
        e
        for e in window
        if (
            _src(e) in PARTIES
            and (rung_of(e.cameo) or 0) >= 3
            and e.modality not in ("hypothetical", "negated")
        )
        or (
            _is_attack_on_party(e)
            and (e.root == "18" or (fatalities(e.text) or 0) >= 5 or (rung_of(e.cameo) or 0) >= 4)
        )
    ]
    if triggers:
        last = triggers[-1]
        assert last.date is not None
        ceasefire = [
            e for e in window if e.cameo in _CEASEFIRE and e.date is not None and e.date >= last.date
        ]
        active_crisis = not ceasefire
        state["crisis_active"] = active_crisis
        first = triggers[0]
        state["crisis_day"] = age(first) if active_crisis else 0
        evidence["crisis_active"] = [evidence_of(e) for e in (triggers[:1] + triggers[-1:] + ceasefire[-1:])]
        evidence["crisis_day"] = [evidence_of(first)]
        nukes = [
            e
            for e in window
            if _src(e) in PARTIES
            and (
                (action_for(e.cameo) is not None and action_for(e.cameo).rung == "nuclear_signal")  # type: ignore[union-attr]
                or (e.root == "15" and re.search(r"missile|nuclear", e.text, re.IGNORECASE))
            )
        ]
        if active_crisis or nukes:
            state["nuclear_signal"] = bool(nukes) and active_crisis
            evidence["nuclear_signal"] = [evidence_of(e) for e in nukes]
            if not nukes:
                evidence["nuclear_signal"] = [evidence_of(first)]

    # --- offers and acceptance --------------------------------------------------------------------
    offers: dict[str, Event] = {}
    for e in evs:
        s = _src(e)
        if not s or s in PARTIES or age(e) > OFFER_WINDOW:
            continue
        if (
            e.cameo in ("039", "045")
            and (_tgt(e) in PARTIES or _tgt(e) is None)
            and (e.modality != "negated")
        ):
            offers.setdefault(s, e)
        elif e.cameo == "165" and s in offers:
            del offers[s]
    if offers:
        state["offers"] = list(offers)
        evidence["offers"] = [evidence_of(e) for e in offers.values()]
    accept: dict[str, dict[str, bool]] = {}
    acc_ev: list[Event] = []
    for e in evs:
        p = _src(e) or ""
        if p not in PARTIES or e.cameo not in ("038", "126"):
            continue
        val = e.cameo == "038"
        tracks = ["II"] if re.search(r"track[ -](ii|two|2)\b", e.text, re.IGNORECASE) else ["1.5", "I"]
        for t in tracks:
            accept.setdefault(p, {})[t] = val
        acc_ev.append(e)
    if accept:
        state["accept"] = accept
        evidence["accept"] = [evidence_of(e) for e in acc_ev]

    # --- provocation ----------------------------------------------------------------------------
    prov: dict[str, float] = {}
    prov_ev: list[Event] = []
    for e in evs:
        if not _is_attack_on_party(e):
            continue
        victim = _tgt(e) or ""
        n = fatalities(e.text)
        sev = min(1.0, n / 25.0) if n else 0.2
        prov[victim] = prov.get(victim, 0.0) + sev * math.exp(-math.log(2) * age(e) / PROVOCATION_HALF_LIFE)
        prov_ev.append(e)
    if prov:
        state["provocation"] = {p: round(prov.get(p, 0.0), 3) for p in PARTIES}
        evidence["provocation"] = [evidence_of(e) for e in prov_ev]

    # --- trust ------------------------------------------------------------------------------------
    recent = [e for e in evs if _dyadic(e) and age(e) <= TRUST_WINDOW]
    if recent:
        mean_g = sum(e.goldstein for e in recent) / len(recent)
        state["trust"] = round(min(1.0, max(0.0, 0.5 + mean_g / 20.0)), 3)
        evidence["trust"] = [evidence_of(e) for e in recent]

    # --- phase ------------------------------------------------------------------------------------
    phase_ev: tuple[int, Event] | None = None
    for e in evs:
        low = e.text.lower()
        ph: int | None = None
        if _src(e) in PARTIES and e.cameo == "164":
            ph = 0
        elif re.search(r"track[ -](ii|two|2)\b", low):
            ph = 1
        elif "track 1.5" in low or "track one-and-a-half" in low:
            ph = 3
        elif _dyadic(e) and e.cameo == "057" and "framework" in low:
            ph = 5
        elif _dyadic(e) and e.cameo == "046" and re.search(r"dialogue|negotiation", low):
            ph = 4
        if ph is not None:
            phase_ev = (ph, e)
    if phase_ev is not None:
        state["phase"] = phase_ev[0]
        evidence["phase"] = [evidence_of(phase_ev[1])]

    evidence["date"] = []
    return Nowcast(state=state, evidence=evidence, series=daily_series(evs))


def load_events(paths: Iterable[Path]) -> list[Event]:
    """Events from files: coded-event JSON Lines or any importer format (detected)."""
    from tashkent.events.importers import Filter, detect_format, read_events
    from tashkent.events.store import IngestStats

    out: list[Event] = []
    for p in paths:
        fmt = detect_format(p)
        stats = IngestStats(str(p), fmt)
        out.extend(se.event for se in read_events(p, fmt, Filter(), stats))
    return out


def initial_state_overlay(
    paths: list[Path] | None, from_store: bool, as_of: date | None, db_url: str | None
) -> Nowcast:
    """The nowcast as an overlay for a scenario's `initial_state`.

    Args:
        paths: event files — coded events from `tashkent events code --json`, or GDELT 1.0/2.0
            (zipped or not), ICEWS or POLECAT files (format detected from the content).
        from_store: also read every event in the event store (`tashkent events ingest`).
        as_of: the as-of date; events after it are ignored. None = the latest event date.
        db_url: the store's SQLAlchemy URL or SQLite path (None = the default database).

    Returns:
        A `Nowcast`: `.state` holds only the `initial_state` keys with evidence (date, rung,
        crisis_active, crisis_day, nuclear_signal, trust, phase, accept, provocation, offers), to
        be laid over the scenario's own initial state; `.evidence[key]` lists the events behind
        each value (doc, sentence, date, cameo, source, target, text).

    Raises:
        UserError: a file is missing or unreadable, or neither paths nor from_store is given.
    """
    from tashkent.errors import UserError

    events: list[Event] = []
    if paths:
        events.extend(load_events(paths))
    if from_store:
        from tashkent.events.store import EventStore

        events.extend(se.event for se in EventStore(db_url).query(until=as_of))
    if not paths and not from_store:
        raise UserError("no events given: pass --events FILE… or --from-store")
    return nowcast(events, as_of)
