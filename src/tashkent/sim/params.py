"""Parameter tables: turn a scenario's parameters (value, prior, source) into per-run arrays,
sampled per block from the priors by inverse CDF, or fixed at their values."""

from __future__ import annotations

from typing import Literal

import numpy as np

from tashkent.errors import UserError
from tashkent.scenario.bounds import bound_for, clip_to, ppf
from tashkent.scenario.schema import TRACKS, Parameter, Scenario
from tashkent.sim.seeds import BLOCK_RUNS, PARAMETERS, keyed_uniforms

ParamMode = Literal["sample", "fixed"]

# Every parameter the model reads. Party-specific audience costs are checked separately.
REQUIRED = (
    "attack_rate",
    "attack_progress_gain",
    "severity_log_mean",
    "severity_log_sd",
    "trigger_intercept",
    "trigger_slope",
    "other_trigger_rate",
    "provocation_half_life_days",
    "esc_base",
    "esc_provocation",
    "esc_reciprocity",
    "esc_rung_cost",
    "esc_nuclear_risk",
    "esc_restraint",
    "esc_gp_management",
    "esc_fatigue",
    "esc_two_step",
    "cross_border_restraint_cost",
    "war_threshold_cost",
    "deesc_base",
    "ns_intercept",
    "ns_slope",
    "nuclear_use_daily",
    "ceasefire_base",
    "ceasefire_catastrophe",
    "ceasefire_gp",
    "ceasefire_mediator",
    "ceasefire_days",
    "ceasefire_rung",
    "crisis_end_base",
    "crisis_end_days",
    "crisis_end_ceasefire",
    "crisis_end_provocation",
    "fire_end_base",
    "war_end_base",
    "response_lag_median_days",
    "response_lag_sdlog",
    "response_strike_base",
    "response_strike_provocation",
    "post_crisis_rung_cap",
    "fatalities_rung4",
    "fatalities_rung5",
    "fatalities_rung6",
    "normalise_rate",
    "trust_baseline",
    "trust_relax_days",
    "trust_attack_hit",
    "trust_escalation_hit",
    "cred_threshold",
    "cred_war_aversion",
    "cred_sharpness",
    "coalition_optimum",
    "mediator_bias_sd",
    "gp_engagement",
    "hurt_half_life_days",
    "hurt_threshold",
    "catastrophe_half_life_days",
    "stalemate",
    "way_out",
    "accept_rate",
    "withdraw_rate",
    "accept_gain",
    "accept_ripeness",
    "accept_trust",
    "offer_tilt",
    "offer_great_power",
    "offer_standing",
    "offer_hardening",
    "hardening_half_life_days",
    "standing_half_life_days",
    "standing_erosion",
    "patron_embolden",
    "patron_deter",
    "inclusion_rate",
    "inclusion_trust",
    "inclusion_legitimacy",
    "consent_gate_open",
    "advance_trust",
    "advance_trust_reference",
    "advance_coverage_floor",
    "advance_ripeness_floor",
    "freeze_days",
    "setback_prob",
    "track2_survival",
    "breakdown_rate",
    "breakdown_gap_weight",
    "settlement_gap",
    "inducement",
    "inducement_half_life_days",
    "cost_rung2",
    "cost_rung4",
    "second_party_cost_ratio",
)


def track_key(track: str) -> str:
    return track.replace(".", "_")


def audience_cost_name(party: str, track: str) -> str:
    return f"audience_cost_{party}_{track_key(track)}"


def check_parameters(scenario: Scenario) -> None:
    names = list(REQUIRED)
    for party in scenario.parties:
        names += [audience_cost_name(party, t) for t in TRACKS]
    missing = [n for n in names if n not in scenario.parameters]
    if missing:
        raise UserError(
            f"{scenario.name}: parameters.{missing[0]} is missing"
            f"{f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''}; "
            "copy it from `tashkent scenario export kashmir-2025` and give its source"
        )


def block_parameters(
    params: dict[str, Parameter], seed: int, block_start: int, n_blocks: int, mode: ParamMode
) -> dict[str, np.ndarray]:
    """One value per block for every parameter: shape [n_blocks], within its declared range."""
    out: dict[str, np.ndarray] = {}
    for name in sorted(params):
        p = params[name]
        if mode == "fixed" or p.prior.dist == "fixed":
            out[name] = np.full(n_blocks, float(p.value))
        else:
            u = keyed_uniforms(seed, PARAMETERS, name, block_start, n_blocks)
            out[name] = clip_to(bound_for(name, p.range), ppf(p.prior, p.value, u))
    return out


def expand(block_values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-block values → per-run arrays (each block is BLOCK_RUNS consecutive runs)."""
    return {k: np.repeat(v, BLOCK_RUNS) for k, v in block_values.items()}
