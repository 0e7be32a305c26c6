"""The event layer: CAMEO/PLOVER taxonomy, a rule-based English event coder, evaluation,
importers for GDELT/ICEWS/POLECAT, an event store and the nowcast of the model's initial state.

Pure functions live in `taxonomy`, `coder`, `evaluate` and `nowcast`; files, the database and
the command line are at the edges (`importers`, `store`, `commands`).
"""

from tashkent.events.model import Actor, Event

__all__ = ["Actor", "Event"]
