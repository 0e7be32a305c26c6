"""The options of the bargaining models (`--option NAME=VALUE`): every disputed choice of each
reconstruction, with its default. Kept free of numeric imports so the command line can list them
in its help without loading the models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tashkent.errors import UserError


@dataclass(frozen=True)
class EUOptions:
    """Every disputed choice of the reconstruction; defaults reproduce Scholz et al. (2011)."""

    p_denominator: Literal["scholz", "pair"] = "scholz"
    risk_view: Literal["receiver", "own"] = "receiver"
    vote_risk: Literal["voter", "neutral"] = "voter"
    offer_order: Literal["type", "nearest"] = "type"
    compromise_order: Literal["largest", "smallest"] = "largest"
    capitulation: Literal["off", "on"] = "off"
    mu: Literal["median", "mean"] = "median"
    q: float = 1.0
    t: float = 1.0

    def check(self) -> None:
        for name in ("q", "t"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise UserError(f"--option {name}={v:g}: must lie in [0, 1]")


@dataclass(frozen=True)
class SMPOptions:
    """KTAB's parameters (defaults marked in the KTAB tutorial) plus our stopping controls."""

    victory_prob: Literal["linear", "square", "quartic", "octic", "binary"] = "linear"
    pce: Literal["conditional", "markov_incentive", "markov_uniform"] = "conditional"
    transitions: Literal["deterministic", "stochastic"] = "deterministic"
    voting_rule: Literal["proportional", "binary", "propbin", "propcbc", "cubic", "asymprosp"] = (
        "proportional"
    )
    big_r_adjust: Literal["none", "one_third", "half", "two_thirds", "full"] = "one_third"
    big_r_range: Literal["min", "mid", "max"] = "mid"
    third_party_commit: Literal["none", "semi", "full"] = "semi"
    bargain_interp: Literal["s1p1", "s2p2"] = "s2p2"
    bargain_model: Literal["init_only", "init_rcvr", "pw_comp"] = "init_only"
    max_turns: int = 100
    stop_ratio: float = 0.02

    def check(self) -> None:
        if not 1 <= self.max_turns <= 10_000:
            raise UserError(f"--option max_turns={self.max_turns}: must be between 1 and 10000")
        if not 0 <= self.stop_ratio < 1:
            raise UserError(f"--option stop_ratio={self.stop_ratio:g}: must lie in [0, 1)")
