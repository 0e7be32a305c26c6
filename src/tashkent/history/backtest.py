"""The back-test: replay each crisis from its trigger and score the forecasts against what happened.

Designs (`folds`):

* `loo` — leave-one-out: for each crisis, fit every forecaster on the other 17 and forecast it;
* `temporal` — fit on the crises that began before 2000, forecast those of 2001–2025.

The test crisis is never in its own training set and forecasters see only its `Conditions`.

Metrics (lower is better) — the rule in brackets:

* `rung` — highest conventional rung 0–6 [ranked probability score, normalised to 0–1];
* `rung_ge4`, `rung_ge5` — P(highest rung ≥ 4), ≥ 5 [Brier];
* `nuclear_signal` — P(nuclear signalling) [Brier; the two contested crises are left out];
* `mediation` — P(mediation occurs) [Brier];
* `duration` — crisis duration in days [CRPS; Siachen and Mumbai, with no sourced end, left out];
* `days_to_first_strike` — days from the trigger to the first strike (rung ≥ 5), for the crises
  that reached it [CRPS over the forecast's runs that struck].
* `offer_accepted` — P(a third party's offer is accepted by both parties) on the record of offers
  (`tashkent.history.offers`) [Brier; the same design over offers instead of crises: leave one
  offer out, or fit on the offers before 2000 and forecast those from 2001]. The model is the
  acceptance logit the simulation uses (`tashkent.model.acceptance.offer_logit`) fitted on the
  training offers; its `n` counts offers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tashkent.history.baselines import BASELINES, Conditions, CrisisForecast, Forecaster, Outcome
from tashkent.history.record import Crisis
from tashkent.history.scoring import bootstrap_skill, brier, crps_step, rps

METHODS = ("loo", "temporal")
TEMPORAL_TRAIN_BEFORE = 2000  # train: trigger year < 2000
TEMPORAL_TEST_FROM = 2001  # test: trigger year >= 2001
OFFER_PARAMETERS = "kashmir-2025"  # the scenario whose priors the offer model starts from
BASELINE_NAMES = ("climatology", "persistence", "uniform")
METRICS: dict[str, str] = {
    "rung": "RPS",
    "rung_ge4": "Brier",
    "rung_ge5": "Brier",
    "nuclear_signal": "Brier",
    "mediation": "Brier",
    "duration": "CRPS (days)",
    "days_to_first_strike": "CRPS (days)",
    "offer_accepted": "Brier",
}
CRISIS_METRICS = tuple(m for m in METRICS if m != "offer_accepted")


@dataclass(frozen=True)
class Fold:
    test: Crisis
    training: tuple[Crisis, ...]


def folds(crises: Sequence[Crisis], method: str) -> list[Fold]:
    """The (test crisis, training crises) pairs of a design."""
    ordered = sorted(crises, key=lambda c: c.trigger_date)
    if method == "loo":
        return [Fold(c, tuple(o for o in ordered if o.id != c.id)) for c in ordered]
    if method == "temporal":
        train = tuple(c for c in ordered if c.year < TEMPORAL_TRAIN_BEFORE)
        return [Fold(c, train) for c in ordered if c.year >= TEMPORAL_TEST_FROM]
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def score_one(fc: CrisisForecast, out: Outcome) -> dict[str, float | None]:
    """Per-crisis scores for every metric (None where the outcome is not scorable)."""
    duration = None
    if out.duration is not None:
        duration = crps_step(fc.duration_values, fc.weights(), out.duration)
    strike = None
    if out.first_strike is not None:
        strike = crps_step(*fc.strike_distribution(), out.first_strike)
    return {
        "rung": float(rps(fc.rung_probs, [out.rung])[0]),
        "rung_ge4": float(brier([fc.p_rung_ge(4)], [out.rung >= 4])[0]),
        "rung_ge5": float(brier([fc.p_rung_ge(5)], [out.rung >= 5])[0]),
        "nuclear_signal": (None if out.nuclear is None else float(brier([fc.p_nuclear], [out.nuclear])[0])),
        "mediation": float(brier([fc.p_mediation], [out.mediation])[0]),
        "duration": duration,
        "days_to_first_strike": strike,
    }


def run_backtest(
    crises: Sequence[Crisis],
    method: str,
    forecasters: Sequence[Forecaster] = BASELINES,
    n_boot: int = 2000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    offers: Any | None = None,
) -> dict[str, Any]:
    """Run a design and return the JSON-ready result.

    Keys: `method`, `forecasters`, `crises` (one entry per test crisis: its conditions, outcome,
    each forecaster's forecast and per-crisis scores), `scores` {metric: {forecaster: mean}},
    `skill` {metric: {forecaster: {baseline: {skill, low, high}}}} (paired bootstrap over crises,
    90% interval, seeded), `n` {metric: number of crises scored}, `offers` (one entry per test offer).
    `offers` is a `tashkent.history.offers.Record` (default: the packaged record).
    """
    from tashkent.history.offers import load_offers, score_offers
    from tashkent.scenario.load import load_scenario, scenario_to_data

    names = [f.name for f in forecasters]
    if len(set(names)) != len(names):
        raise ValueError(f"forecaster names must be unique, got {names}")
    entries: list[dict[str, Any]] = []
    per: dict[str, dict[str, list[float]]] = {m: {n: [] for n in names} for m in CRISIS_METRICS}
    fold_list = folds(crises, method)
    for i, fold in enumerate(fold_list):
        cond = Conditions.of(fold.test)
        out = Outcome.of(fold.test)
        entry: dict[str, Any] = {
            "id": fold.test.id,
            "name": fold.test.name,
            "trigger_date": fold.test.trigger_date.isoformat(),
            "n_training": len(fold.training),
            "outcome": {
                "rung": out.rung,
                "nuclear_signal": fold.test.nuclear_signal,
                "mediation": bool(out.mediation),
                "duration_days": out.duration,
                "days_to_first_strike": out.first_strike,
            },
            "forecasts": {},
            "scores": {},
        }
        for f in forecasters:
            fc = f.fit(fold.training).forecast(cond)
            scores = score_one(fc, out)
            entry["forecasts"][f.name] = fc.as_dict()
            entry["scores"][f.name] = {k: (None if v is None else round(v, 4)) for k, v in scores.items()}
            for metric, value in scores.items():
                if value is not None:
                    per[metric][f.name].append(value)
        entries.append(entry)
        if progress:
            progress(i + 1, len(fold_list))
    record = offers if offers is not None else load_offers()
    parameters = scenario_to_data(load_scenario(OFFER_PARAMETERS))["parameters"]
    offer_entries, per["offer_accepted"] = score_offers(record, crises, parameters, method, names)
    means = {m: {n: round(float(np.mean(v)), 4) if v else None for n, v in d.items()} for m, d in per.items()}
    skills: dict[str, dict[str, dict[str, Any]]] = {}
    for m, d in per.items():
        skills[m] = {}
        for n in names:
            if n in BASELINE_NAMES and n != names[0]:
                continue
            skills[m][n] = {
                b: bootstrap_skill(d[n], d[b], n_boot=n_boot, seed=seed).as_dict()
                for b in BASELINE_NAMES
                if b in d and b != n and d[n]
            }
    return {
        "method": method,
        "design": _design_text(method),
        "forecasters": names,
        "metrics": METRICS,
        "crises": entries,
        "scores": means,
        "skill": skills,
        "n": {m: len(next(iter(d.values()))) for m, d in per.items()},
        "offers": offer_entries,
    }


def _design_text(method: str) -> str:
    if method == "loo":
        return "leave-one-out: each crisis forecast by forecasters fitted on the other crises"
    return (
        f"temporal: fitted on crises triggered before {TEMPORAL_TRAIN_BEFORE}, "
        f"forecasting those of {TEMPORAL_TEST_FROM}-2025"
    )


def reliability_pairs(result: dict[str, Any], forecaster: str) -> tuple[list[float], list[int]]:
    """(forecast probability, outcome) pairs over the binary metrics, for a reliability diagram."""
    ps: list[float] = []
    os_: list[int] = []
    for e in result["crises"]:
        fc = e["forecasts"][forecaster]
        out = e["outcome"]
        pairs: list[tuple[float, int | None]] = [
            (fc["p_rung_ge4"], int(out["rung"] >= 4)),
            (fc["p_rung_ge5"], int(out["rung"] >= 5)),
            (fc["p_mediation"], int(out["mediation"])),
            (fc["p_nuclear_signal"], {"yes": 1, "no": 0}.get(out["nuclear_signal"])),
        ]
        for p, o in pairs:
            if o is not None:
                ps.append(float(p))
                os_.append(o)
    return ps, os_
