"""The crisis records tashkent ships, one per dyad, and what replaying them needs: the record's
files, the scenario the crises are replayed from, the parties, whom non-state attackers strike,
and the era switches (nuclear status, doctrine of restraint, actors absent in early years)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tashkent.errors import UserError


@dataclass(frozen=True)
class Dyad:
    name: str
    record: str  # crises CSV under history/data (crisis_sources.csv beside it)
    base: str  # built-in scenario the crises are replayed from
    parties: tuple[str, str]
    attacked: str  # the party non-state attacks strike
    record_start: dt.date  # start of the period the record covers (for the onset rate)
    record_end: dt.date
    nuclear_from: int | None = None  # year from which both parties are nuclear-armed (None: never)
    restraint_era: tuple[dt.date, dt.date] | None = None  # replays in this window use the doctrine
    era_absent: dict[str, int] = field(default_factory=dict)  # actor: first year it exists
    replay_overrides: dict[str, object] = field(default_factory=dict)  # further `with_overrides`


DYADS: dict[str, Dyad] = {
    "india-pakistan": Dyad(
        name="india-pakistan",
        record="crises.csv",
        base="pahalgam-2025",
        parties=("IND", "PAK"),
        attacked="IND",
        record_start=dt.date(1947, 8, 15),
        record_end=dt.date(2025, 12, 31),
        nuclear_from=1998,
        # India's nuclear-era restraint: from overt nuclearisation (May 1998) to the Uri crisis
        # (raid of 28-29 Sep 2016) India did not answer attacks across the LoC/IB; in 1965 and
        # 1971 it had crossed the border, and since Uri it does again.
        restraint_era=(dt.date(1998, 5, 11), dt.date(2016, 9, 18)),
        era_absent={"KAZ": 1992, "UZB": 1992, "SCO": 2001},
    ),
    "pakistan-afghanistan": Dyad(
        name="pakistan-afghanistan",
        record="pakistan-afghanistan/crises.csv",
        base="pakistan-afghanistan-2025",
        parties=("PAK", "AFG"),
        attacked="PAK",
        # the Taliban government since the fall of Kabul, 15 August 2021
        record_start=dt.date(2021, 8, 15),
        record_end=dt.date(2025, 11, 15),
        # before October 2025 neither side had sought mediation: replays start with no track
        # accepted (the scenario's state of November 2025 has both in mediated talks)
        replay_overrides={"initial_state.accept": {}},
    ),
}
DEFAULT_DYAD = "india-pakistan"


def get_dyad(name: str) -> Dyad:
    if name not in DYADS:
        raise UserError(f"--dyad = {name!r} is not a crisis record; use one of {', '.join(DYADS)}")
    return DYADS[name]
