"""The escalation ladder, the Rivera et al. (2024) score tiers and the action catalogue.

Loaded once from `tashkent/data/ladder.yaml`, the single source of truth that the model, the event
coder, the nowcast and the reports all read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml

N_RUNGS = 7  # rungs 0..6
MAX_RUNG = N_RUNGS - 1


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    rung: int | str | None  # 0..6, "nuclear_signal", "nuclear_use" or None (de-escalatory)
    tier: str
    score: int
    cameo: tuple[str, ...]
    example: str | None = None


@dataclass(frozen=True)
class Ladder:
    rung_names: tuple[str, ...]
    rung_labels: tuple[str, ...]
    tier_scores: dict[str, int]
    rung_entry_tier: dict[int, str]
    actions: tuple[Action, ...]

    def action(self, action_id: str) -> Action:
        for a in self.actions:
            if a.id == action_id:
                return a
        raise KeyError(action_id)

    def entry_scores(self) -> np.ndarray:
        """Score of a move that takes the dyad into rung k (index k; index 0 unused = 0)."""
        out = np.zeros(N_RUNGS, dtype=np.float64)
        for k, tier in self.rung_entry_tier.items():
            out[k] = self.tier_scores[tier]
        return out

    def measure_rungs(self) -> tuple[int, ...]:
        """Rungs held by standing non-violent measures (entered by a non-violent escalation:
        diplomatic, economic and treaty measures): what a `lift_measure` action lifts. Mobilisation
        and fire sit above them and are ended by standing down and ceasefires, not by lifting."""
        return tuple(sorted(k for k, t in self.rung_entry_tier.items() if t == "non_violent_escalation"))

    def cameo_to_action(self) -> dict[str, Action]:
        """Map each CAMEO code named in the catalogue to its action."""
        table: dict[str, Action] = {}
        for a in self.actions:
            for code in a.cameo:
                table[code] = a
        return table


@cache
def load_ladder() -> Ladder:
    text = resources.files("tashkent").joinpath("data/ladder.yaml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    tier_scores = {t["tier"]: int(t["score"]) for t in raw["tiers"]}
    actions = tuple(
        Action(
            id=a["id"],
            label=a["label"],
            rung=a["rung"],
            tier=a["tier"],
            score=tier_scores[a["tier"]],
            cameo=tuple(str(c) for c in a.get("cameo", [])),
            example=a.get("example"),
        )
        for a in raw["actions"]
    )
    rungs = sorted(raw["rungs"], key=lambda r: r["rung"])
    return Ladder(
        rung_names=tuple(r["name"] for r in rungs),
        rung_labels=tuple(r["label"] for r in rungs),
        tier_scores=tier_scores,
        rung_entry_tier={int(k): v for k, v in raw["rung_entry_tier"].items()},
        actions=actions,
    )
