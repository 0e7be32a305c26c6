"""Run a bargaining model on a problem: the expected-utility model (eu), the spatial model of
politics (smp) or the capability-and-salience weighted compromise (closed form)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tashkent.bargain.baselines import baselines
from tashkent.bargain.inputs import Problem, from_spec, read_csv
from tashkent.bargain.result import BargainResult, parse_options
from tashkent.errors import UserError

MODELS = ("eu", "smp", "compromise")


def load_problem(source: str | Path) -> tuple[Problem, Any, Any]:
    """(problem, spec or None, scenario or None) for a CSV path or a scenario name or file."""
    from tashkent.bargain.load import load_spec

    p = Path(source)
    if p.suffix.lower() == ".csv":
        return read_csv(p), None, None
    spec, scenario = load_spec(str(source))
    return from_spec(spec), spec, scenario


def run_model(
    problem: Problem, model: str, rounds: int | None, options: list[str], seed: int | None
) -> BargainResult:
    """Run `model` on `problem`; `options` are NAME=VALUE strings of the model's options."""
    if model not in MODELS:
        raise UserError(f"model {model!r}: choose one of {', '.join(MODELS)}")
    if rounds is not None and not (0 if model == "eu" else 1) <= rounds <= 10_000:
        raise UserError(f"rounds {rounds}: must be between {0 if model == 'eu' else 1} and 10000")
    if model == "eu":
        from tashkent.bargain.eu import EUOptions, run_eu

        return run_eu(problem, rounds if rounds is not None else 10, parse_options(EUOptions, options, "eu"))
    if model == "smp":
        from tashkent.bargain.smp import SMPOptions, run_smp

        opt = parse_options(SMPOptions, options, "smp")
        return run_smp(problem, opt, seed=seed, max_turns=rounds)
    if options:
        raise UserError("options: the compromise model has no options")
    base = baselines(problem.position, problem.capability, problem.salience)
    return BargainResult(
        model="compromise",
        actors=problem.actors,
        dimensions=problem.dimensions,
        history=problem.position[None].astype(float),
        probabilities=None,
        forecast={
            "expected": base["weighted_mean"],
            "most_likely": base["weighted_mean"],
            "p_most_likely": None,
        },
        baselines=base,
        oscillation={"oscillating": False, "reversals": 0, "cycle": None, "last_step": 0.0},
        options={},
        stop_reason="closed form",
    )
