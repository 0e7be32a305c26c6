"""Uncertainties, levers and outcomes of a scenario (the XLRM frame of exploratory modelling).

Uncertainties are the scenario's parameters with a non-fixed prior (after the calibration overlay);
levers are the named choices an actor declares under `levers:` in the scenario, each option a set
of `--set` edits; outcomes are the forecast's probabilities by the horizon and a few per-run means,
by name. Nothing here runs the model."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tashkent.errors import UserError
from tashkent.scenario.schema import TRACKS, Lever, Parameter, Scenario
from tashkent.sim.context import phase_parameters
from tashkent.sim.outcomes import metric_names
from tashkent.sim.params import ppf

Direction = Literal["max", "min"]


@dataclass(frozen=True)
class Uncertainty:
    name: str
    parameter: Parameter

    def values(self, u: np.ndarray) -> np.ndarray:
        """Parameter values at probability levels u in (0, 1) of its prior (inverse CDF)."""
        return ppf(self.parameter.prior, self.parameter.value, np.asarray(u, dtype=np.float64))


def _parameter_table(scenario: Scenario) -> dict[str, Parameter]:
    return {**scenario.parameters, **phase_parameters(scenario)}


def uncertainties(scenario: Scenario, exclude: set[str] | frozenset[str] = frozenset()) -> list[Uncertainty]:
    """Every parameter with a prior (phase durations included), in a stable order."""
    return [
        Uncertainty(name, p)
        for name, p in sorted(_parameter_table(scenario).items())
        if p.prior.dist != "fixed" and name not in exclude
    ]


def lever_parameters(scenario: Scenario, lvs: list[Lever]) -> dict[str, list[str]]:
    """Parameters that the levers `lvs` set (name → ids of those levers), found by applying every
    option and comparing each parameter's value and prior with the scenario as written."""
    table = _parameter_table(scenario)
    out: dict[str, list[str]] = {}
    for lv in lvs:
        for opt in lv.options:
            if not opt.set:
                continue
            other = _parameter_table(scenario.with_overrides(opt.set))  # type: ignore[attr-defined]
            for name, p in table.items():
                if other.get(name) != p:
                    ids = out.setdefault(name, [])
                    if lv.id not in ids:
                        ids.append(lv.id)
    return dict(sorted(out.items()))


def analysis_uncertainties(
    scenario: Scenario, lvs: list[Lever], fixed: dict[str, float] | None = None
) -> tuple[list[Uncertainty], dict[str, list[str]]]:
    """The uncertainties an analysis that compares the levers `lvs` samples: every parameter with
    a prior, less those `fixed` elsewhere (the bargaining link) and those one of the levers sets.

    A lever is a choice, not an uncertainty: if an option sets a parameter that also has a prior,
    the analysis holds that parameter at the scenario's value in every experiment (the as-written
    option included) instead of sampling it, so the options are compared on the same footing.
    Levers the analysis does not compare stay as written and their parameters keep their priors.
    Returns the uncertainties and the held parameters (name → lever ids)."""
    table = _parameter_table(scenario)
    held = {n: ids for n, ids in lever_parameters(scenario, lvs).items() if table[n].prior.dist != "fixed"}
    return uncertainties(scenario, exclude=set(fixed or {}) | set(held)), held


# ------------------------------------------------------------------ outcomes


@dataclass(frozen=True)
class Outcome:
    name: str
    column: str  # the per-block column of the ensemble's block table
    label: str
    direction: Direction  # which way is better for the mediation (for regret)
    negate: bool = False  # "no_<metric>": the complement of a probability


_GOOD = ("phase_ge_", "agreement", "mediation", "accept_", "ceasefire")


def outcomes(scenario: Scenario) -> dict[str, Outcome]:
    """The outcomes of a scenario by name: P(metric by the horizon), its complement `no_<metric>`,
    and per-run means (fatalities, total escalation score, normalised cost of each party)."""
    out: dict[str, Outcome] = {}
    for m in metric_names(scenario.parties):
        good = m.startswith(_GOOD)
        out[m] = Outcome(m, f"p_{m}", f"P({m} by the horizon)", "max" if good else "min")
        out[f"no_{m}"] = Outcome(
            f"no_{m}", f"p_{m}", f"P(no {m} by the horizon)", "min" if good else "max", True
        )
    out["fatalities"] = Outcome("fatalities", "mean_fatalities", "mean fatalities per run", "min")
    out["trust"] = Outcome("trust", "mean_trust", "mean trust between the parties at the horizon", "max")
    out["escalation_score"] = Outcome(
        "escalation_score", "mean_escalation_score", "mean total escalation score per run", "min"
    )
    for party in scenario.parties:
        out[f"cost_{party}"] = Outcome(
            f"cost_{party}", f"mean_cost_{party}", f"mean normalised cost to {party}", "min"
        )
    return out


def outcome(scenario: Scenario, name: str) -> Outcome:
    table = outcomes(scenario)
    if name not in table:
        near = difflib.get_close_matches(name, list(table), n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise UserError(
            f"--outcome {name}: not an outcome of {scenario.name}; {hint}"
            f"known: {', '.join(k for k in table if not k.startswith('no_'))} (and no_<metric>)"
        )
    return table[name]


def outcome_values(o: Outcome, column: np.ndarray) -> np.ndarray:
    v = np.asarray(column, dtype=np.float64)
    return 1.0 - v if o.negate else v


# ------------------------------------------------------------------ levers


def levers(scenario: Scenario, actor: str | None = None) -> list[Lever]:
    """The scenario's levers, or those of one actor (an unknown actor or one without levers is a
    user error naming the actors that have some)."""
    if actor is None:
        return list(scenario.levers)
    owners = sorted({lv.actor for lv in scenario.levers})
    if actor not in {a.id for a in scenario.actors}:
        raise UserError(
            f"--actor {actor}: not an actor in {scenario.name} (actors with levers: {', '.join(owners)})"
        )
    mine = [lv for lv in scenario.levers if lv.actor == actor]
    if not mine:
        raise UserError(
            f"--actor {actor}: {scenario.name} declares no levers for {actor} "
            f"(actors with levers: {', '.join(owners) or 'none'}); add them under `levers:`"
        )
    return mine


Strategy = dict[str, str]  # lever id → option id


def strategies(lvs: list[Lever]) -> list[Strategy]:
    """Every combination of the levers' options, the as-written combination first."""
    combos = [
        dict(zip([lv.id for lv in lvs], c, strict=True))
        for c in itertools.product(*[[o.id for o in lv.options] for lv in lvs])
    ]
    default = {lv.id: lv.default_option() for lv in lvs}
    return [default] + [c for c in combos if c != default]


def strategy_label(strategy: Strategy) -> str:
    return ", ".join(f"{k}={v}" for k, v in strategy.items())


def apply_strategy(scenario: Scenario, strategy: Strategy) -> Scenario:
    """The scenario with each chosen option's edits applied (the `--set` machinery)."""
    edits: dict[str, object] = {}
    by_id = {lv.id: lv for lv in scenario.levers}
    for lever_id, option_id in strategy.items():
        if lever_id not in by_id:
            raise UserError(f"lever {lever_id!r} is not declared in {scenario.name}")
        lever = by_id[lever_id]
        try:
            option = lever.option(option_id)
        except KeyError:
            known = ", ".join(o.id for o in lever.options)
            raise UserError(f"lever {lever_id}: no option {option_id!r} (options: {known})") from None
        edits.update(option.set)
    return scenario.with_overrides(edits) if edits else scenario  # type: ignore[attr-defined]


__all__ = [
    "TRACKS",
    "Outcome",
    "Strategy",
    "Uncertainty",
    "analysis_uncertainties",
    "apply_strategy",
    "lever_parameters",
    "levers",
    "outcome",
    "outcome_values",
    "outcomes",
    "strategies",
    "strategy_label",
    "uncertainties",
]
