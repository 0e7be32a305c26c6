"""The record of third-party offers between India and Pakistan (1948–2025) and the acceptance model
scored on it.

`data/offers.yaml` holds one entry per offer: who offered, the form, the issue, each party's answer
and a source for every fact (README.md beside it). `load_offers()` checks it and raises `UserError`
naming the offer and field. For each (offer, party) `features()` derives what the acceptance model
reads: the offerer's tilt toward the party, whether it is a great power, the party's bilateral
clause (Simla, 1972, clause (ii)), a binding (arbitration) form, recent battle losses, the party's
standing with the offerer (minus the decayed count of its earlier rejections of the same offerer)
and its hardening after attacks (decayed provocation of the attacks on the crisis record).

`fit()` finds the posterior mode of the logistic model `tashkent.model.acceptance.offer_logit`
under normal priors (the scenario's priors for the terms the simulation shares; named priors here
for the record-level terms) and its Laplace covariance. `score_offers()` forecasts P(offer
accepted by both parties) = p₁·p₂ leave-one-out (or temporally) and scores it against
climatology, persistence and a uniform forecast (metric `offer_accepted`, Brier).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tashkent.errors import UserError
from tashkent.model.acceptance import offer_logit
from tashkent.model.spoilers import provocation_from

FORMS = ("crisis_diplomacy", "facilitation", "good_offices", "mediation", "arbitration")
ISSUES = ("kashmir", "crisis", "water", "border")
ANSWERS = ("accepted", "rejected", "no_answer")

#: Terms the simulation shares with the record model (their priors come from the scenario).
SHARED = ("offer_tilt", "offer_great_power", "offer_standing", "offer_hardening")
#: Record-level terms: (prior mean, prior sd, why).
RECORD_PRIORS: dict[str, tuple[float, float, str]] = {
    "offer_base": (1.0, 1.5, "judgement: before Simla most offers were taken up by both parties"),
    "offer_clause": (3.0, 1.5, "Simla Agreement (2 Jul 1972) clause (ii): differences settled 'by peaceful "
     "means mutually agreed upon between them' — India reads it as excluding third parties"),
    "offer_arbitration": (1.0, 1.0, "judgement: a binding award cedes sovereignty (India refused "
     "arbitration of the truce in 1949 and of demilitarisation in 1951)"),
    "offer_loss": (0.5, 1.0, "Zartman (2000) 'Ripeness': recent losses make a hurting stalemate"),
}  # fmt: skip
ORDER = ("offer_base", "offer_clause", "offer_arbitration", "offer_loss", *SHARED)


@dataclass(frozen=True)
class Answer:
    answer: str
    date: dt.date | None
    source: str

    @property
    def accepted(self) -> bool:
        return self.answer == "accepted"


@dataclass(frozen=True)
class Offer:
    id: str
    date: dt.date
    mediator: str
    offerer: str
    great_power: bool
    form: str
    issue: str
    source: str
    answers: dict[str, Answer]
    tilt: float  # toward the first party; the second party's is its negative
    tilt_source: str
    recent_loss: tuple[str, ...]
    loss_source: str

    @property
    def accepted_by_both(self) -> bool:
        return all(a.accepted for a in self.answers.values())


@dataclass(frozen=True)
class Record:
    parties: tuple[str, str]
    clause_party: str
    clause_since: dt.date
    clause_forms: tuple[str, ...]
    clause_source: str
    offers: tuple[Offer, ...] = field(default=())


def _path(path: Path | None) -> Any:
    return path if path is not None else resources.files("tashkent.history") / "data" / "offers.yaml"


def load_offers(path: Path | None = None) -> Record:
    """Load and check the record of offers (default: the packaged `data/offers.yaml`)."""
    src = _path(path)
    name = getattr(src, "name", str(src))
    try:
        data = yaml.safe_load(src.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise UserError(f"{name}: cannot read the record of offers ({e}); fix or remove --offers") from e

    def need(obj: dict, key: str, where: str) -> Any:
        if not isinstance(obj, dict) or obj.get(key) in (None, ""):
            raise UserError(f"{name}: {where}.{key} is missing; every offer needs it with a source")
        return obj[key]

    clause = need(data, "bilateral_clause", "record")
    parties = tuple(need(data, "parties", "record"))
    if len(parties) != 2:
        raise UserError(f"{name}: record.parties must name two parties, got {parties}")
    offers = []
    seen: set[str] = set()
    for k, o in enumerate(need(data, "offers", "record")):
        where = f"offers[{k}]"
        oid = str(need(o, "id", where))
        where = f"offers[{k}] ({oid})"
        if oid in seen:
            raise UserError(f"{name}: {where}: id appears twice; ids must be unique")
        seen.add(oid)
        form, issue = need(o, "form", where), need(o, "issue", where)
        if form not in FORMS:
            raise UserError(f"{name}: {where}.form = {form!r}; use one of {', '.join(FORMS)}")
        if issue not in ISSUES:
            raise UserError(f"{name}: {where}.issue = {issue!r}; use one of {', '.join(ISSUES)}")
        tilt = float(need(o, "tilt_IND" if "tilt_IND" in o else f"tilt_{parties[0]}", where))
        if not -1.0 <= tilt <= 1.0:
            raise UserError(f"{name}: {where}.tilt = {tilt} is outside [-1, 1]")
        answers = {}
        for party in parties:
            a = need(need(o, "answers", where), party, f"{where}.answers")
            ans = need(a, "answer", f"{where}.answers.{party}")
            if ans not in ANSWERS:
                raise UserError(
                    f"{name}: {where}.answers.{party}.answer = {ans!r}; use one of {', '.join(ANSWERS)}"
                )
            answers[party] = Answer(ans, a.get("date"), str(need(a, "source", f"{where}.answers.{party}")))
        losses = tuple(o.get("recent_loss") or ())
        if any(p not in parties for p in losses):
            raise UserError(f"{name}: {where}.recent_loss names a non-party; use {', '.join(parties)}")
        date = need(o, "date", where)
        if not isinstance(date, dt.date):
            raise UserError(f"{name}: {where}.date = {date!r} is not a date (YYYY-MM-DD)")
        offers.append(
            Offer(
                id=oid,
                date=date,
                mediator=str(need(o, "mediator", where)),
                offerer=str(need(o, "offerer", where)),
                great_power=bool(o.get("great_power", False)),
                form=form,
                issue=issue,
                source=str(need(o, "source", where)),
                answers=answers,
                tilt=tilt,
                tilt_source=str(need(o, "tilt_source", where)),
                recent_loss=losses,
                loss_source=str(need(o, "loss_source", where)),
            )
        )
    offers.sort(key=lambda o: o.date)
    return Record(
        parties=(parties[0], parties[1]),
        clause_party=str(need(clause, "party", "bilateral_clause")),
        clause_since=need(clause, "since", "bilateral_clause"),
        clause_forms=tuple(need(clause, "forms", "bilateral_clause")),
        clause_source=str(need(clause, "source", "bilateral_clause")),
        offers=tuple(offers),
    )


def attacks_on(crises: Sequence[Any], parties: tuple[str, str]) -> list[tuple[dt.date, int, float]]:
    """(date, party index, provocation) of the attacks on the crisis record (the party that is not
    the trigger actor is the target, as in the replays)."""
    out = []
    for c in crises:
        if c.trigger_type == "attack" and c.trigger_fatalities:
            target = parties[1] if c.trigger_actor == parties[0] else parties[0]
            out.append((c.trigger_date, parties.index(target), float(provocation_from(c.trigger_fatalities))))
    return out


def features(
    record: Record,
    attacks: Sequence[tuple[dt.date, int, float]],
    hardening_half_life: float,
    standing_half_life: float,
) -> dict[str, np.ndarray]:
    """Feature arrays [n_offers, 2] (party order of the record) for `offer_logit`."""
    n = len(record.offers)
    f = {
        k: np.zeros((n, 2))
        for k in ("clause", "arbitration", "loss", "tilt", "great_power", "standing", "hardening")
    }
    for k, o in enumerate(record.offers):
        for i, party in enumerate(record.parties):
            f["clause"][k, i] = float(
                party == record.clause_party
                and o.date >= record.clause_since
                and o.form in record.clause_forms
            )
            f["arbitration"][k, i] = float(o.form == "arbitration")
            f["loss"][k, i] = float(party in o.recent_loss)
            f["tilt"][k, i] = o.tilt if i == 0 else -o.tilt
            f["great_power"][k, i] = float(o.great_power)
            f["standing"][k, i] = -sum(
                0.5 ** ((o.date - e.date).days / standing_half_life)
                for e in record.offers[:k]
                if e.offerer == o.offerer and e.answers[party].answer == "rejected" and e.date < o.date
            )
            f["hardening"][k, i] = sum(
                prov * 0.5 ** ((o.date - d).days / hardening_half_life)
                for d, j, prov in attacks
                if j == i and d <= o.date
            )
    return f


def outcomes(record: Record) -> np.ndarray:
    """Accepted (1) or not (0) [n_offers, 2]."""
    return np.array([[float(o.answers[p].accepted) for p in record.parties] for o in record.offers])


def priors(parameters: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Prior means and sds in `ORDER`: shared terms from a scenario's parameter table."""
    mu, sd = [], []
    for name in ORDER:
        if name in RECORD_PRIORS:
            m, s, _ = RECORD_PRIORS[name]
        else:
            prior = parameters[name]["prior"]
            if prior.get("dist") != "normal":
                raise UserError(
                    f"parameters.{name}: the record fit needs a normal prior, got {prior.get('dist')}"
                )
            m, s = float(prior["mean"]), float(prior["sd"])
        mu.append(m)
        sd.append(s)
    return np.array(mu), np.array(sd)


def _design(f: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Design matrix [len(rows)·2, len(ORDER)]: the log-odds are linear in the coefficients."""
    sub = {k: v[rows] for k, v in f.items()}
    cols = []
    for name in ORDER:
        unit = {k: np.array(float(k == name)) for k in ORDER}
        cols.append(np.broadcast_to(offer_logit(sub, unit), sub["tilt"].shape).ravel())
    return np.stack(cols, axis=1)


def fit(
    f: dict[str, np.ndarray], y: np.ndarray, rows: np.ndarray, mu: np.ndarray, sd: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mode and Laplace covariance of the coefficients on the offers `rows` (Newton)."""
    x = _design(f, rows)
    t = y[rows].ravel()
    beta = mu.copy()
    prec = np.diag(1.0 / sd**2)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-x @ beta))
        grad = x.T @ (t - p) - prec @ (beta - mu)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + prec
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = 1.0 / (1.0 + np.exp(-x @ beta))
    hess = x.T @ (x * (p * (1 - p))[:, None]) + prec
    return beta, np.linalg.inv(hess)


def predict(f: dict[str, np.ndarray], beta: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """P(each party accepts) [len(rows), 2]."""
    x = _design(f, rows)
    return (1.0 / (1.0 + np.exp(-x @ beta))).reshape(len(rows), 2)


def folds(record: Record, method: str) -> list[tuple[int, np.ndarray]]:
    """(test offer, training offers) pairs: leave-one-out, or trained on offers before 2000 and
    tested on those from 2001."""
    n = len(record.offers)
    idx = np.arange(n)
    if method == "loo":
        return [(k, idx[idx != k]) for k in range(n)]
    train = np.array([k for k, o in enumerate(record.offers) if o.date.year < 2000])
    return [(k, train) for k, o in enumerate(record.offers) if o.date.year >= 2001]


def score_offers(
    record: Record,
    crises: Sequence[Any],
    parameters: dict[str, Any],
    method: str,
    forecasters: Sequence[str],
) -> tuple[list[dict[str, Any]], dict[str, list[float]]]:
    """Forecast P(offer accepted by both) for each test offer and score it (Brier) for each named
    forecaster: the model (`offer_logit` fitted on the training offers), climatology (the training
    offers' rate), persistence (the last earlier offer's outcome) and uniform (0.5)."""
    from tashkent.history.scoring import brier

    f = features(
        record,
        attacks_on(crises, record.parties),
        float(parameters["hardening_half_life_days"]["value"]),
        float(parameters["standing_half_life_days"]["value"]),
    )
    y = outcomes(record)
    both = y.prod(axis=1)
    mu, sd = priors(parameters)
    entries: list[dict[str, Any]] = []
    per: dict[str, list[float]] = {name: [] for name in forecasters}
    for k, train in folds(record, method):
        o = record.offers[k]
        fc: dict[str, float] = {}
        for name in forecasters:
            if name == "climatology":
                fc[name] = float(both[train].mean())
            elif name == "persistence":
                earlier = [j for j in train if record.offers[j].date < o.date]
                fc[name] = (
                    float(both[max(earlier, key=lambda j: record.offers[j].date)])
                    if earlier
                    else float(both[train].mean())
                )
            elif name == "uniform":
                fc[name] = 0.5
            else:
                beta, _ = fit(f, y, train, mu, sd)
                fc[name] = float(predict(f, beta, np.array([k])).prod())
        scores = {name: float(brier([fc[name]], [both[k]])[0]) for name in forecasters}
        for name in forecasters:
            per[name].append(scores[name])
        entries.append(
            {
                "id": o.id,
                "date": o.date.isoformat(),
                "offerer": o.offerer,
                "accepted_by_both": bool(both[k]),
                "forecasts": {name: round(v, 4) for name, v in fc.items()},
                "scores": {name: round(v, 4) for name, v in scores.items()},
            }
        )
    return entries, per


def fitted_parameters(
    record: Record, crises: Sequence[Any], parameters: dict[str, Any]
) -> dict[str, tuple[float, float]]:
    """Posterior mean and sd (Laplace) of every coefficient fitted on the whole record."""
    f = features(
        record,
        attacks_on(crises, record.parties),
        float(parameters["hardening_half_life_days"]["value"]),
        float(parameters["standing_half_life_days"]["value"]),
    )
    mu, sd = priors(parameters)
    beta, cov = fit(f, outcomes(record), np.arange(len(record.offers)), mu, sd)
    return {name: (float(beta[j]), float(np.sqrt(cov[j, j]))) for j, name in enumerate(ORDER)}
