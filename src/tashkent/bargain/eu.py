"""Bueno de Mesquita's expected-utility ("challenge") model in the Scholz, Calbert & Smith (2011)
reconstruction, vectorised with numpy.

Equations (restated; notation as in Scholz, Calbert & Smith 2011, J. Theor. Politics 23(4)), one
dimension, positions x_i, capability c_i, salience s_i in [0, 1], range Δ = max x − min x, risk exponent r_i:

* vote of k for x_a over x_b: w_k·(d_k(b)^{r_k} − d_k(a)^{r_k}), with w_k = c_k s_k and
  d_k(y) = |x_k − y|/Δ (option ``vote_risk``: with the voter's exponent, or r = 1);
* P(a beats b) = Σ_k max(0, vote_k(a:b)) / denominator; the denominator is either the sum of
  |vote| over all voters *and all pairs of positions* (``p_denominator=scholz``, the Scholz code,
  which makes P small) or over all voters for this pair only (``pair``);
* utilities of i towards j: U_s = 2 − 4(½ − ½δ)^r, U_f = 2 − 4(½ + ½δ)^r,
  U_b = 2 − 4(½ − ¼(|x_i − μ|/Δ + δ))^r, U_w = 2 − 4(½ + ¼(|x_i − μ|/Δ + δ))^r, U_sq = 2 − 4·½^r,
  δ = |x_i − x_j|/Δ; μ is the Condorcet median or the weighted mean (option ``mu``);
* E(i challenges j) = s_j[P U_s + (1−P) U_f] + (1−s_j) U_s − Q U_sq − (1−Q)[T U_b + (1−T) U_w];
* risk: with every r = 1, actor i's danger is Σ_{j≠i} E(j challenges i);
  R_i = (2·danger_i − max − min)/(max − min), r_i = (1 − R_i/3)/(1 + R_i/3);
* offers, seen by receiver a from proposer o, e_a = E(a challenges o), e_o = E(o challenges a),
  both computed with the receiver's exponent r_a (``risk_view=receiver``; ``own`` uses r_o for e_o):
  confrontation e_o > e_a > 0 → a moves to x_o; compromise e_o > 0 > e_a, e_o > |e_a| →
  a moves to x_a + (x_o − x_a)|e_a/e_o|; capitulation e_o > 0 > e_a, e_o < |e_a| → a moves to x_o
  (``capitulation=off`` by default: the branch is dead in the Scholz code);
* a takes one offer: confrontations first, then compromises, then capitulations (``offer_order``);
  among confrontations and capitulations the smallest move; among compromises the *largest* move
  (``compromise_order=largest``, which is what reproduces the published trajectory) or the smallest.

Each round: r = 1 pass → risk → recompute P and E with r → offers → all moves at once. With Q = 1
(the default) U_b, U_w and therefore μ do not affect positions. Multi-dimensional inputs are run
dimension by dimension, independently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from tashkent.bargain.baselines import baselines, detect_oscillation
from tashkent.bargain.inputs import Problem
from tashkent.bargain.options import EUOptions
from tashkent.bargain.result import BargainResult
from tashkent.errors import UserError


def condorcet_median(x: np.ndarray, w: np.ndarray) -> float:
    """The actor position beating every other in pairwise votes with linear utility: the position
    minimising sum_k w_k |x_k − y| (first one on ties)."""
    g = (w[None, :] * np.abs(x[:, None] - x[None, :])).sum(axis=1)
    return float(x[int(np.argmin(g + 0.0))])


def _prob(x: np.ndarray, w: np.ndarray, r: np.ndarray, span: float, opt: EUOptions) -> np.ndarray:
    """[N, N] P(x_a beats x_b)."""
    rr = r if opt.vote_risk == "voter" else np.ones_like(r)
    # P depends on positions only through their values: work on the distinct ones.
    xu, inv, mult = np.unique(x, return_inverse=True, return_counts=True)
    f = (np.abs(x[:, None] - xu[None, :]) / span) ** rr[:, None]  # f[k, y] = d_k(y)^{r_k}
    # vote[k, a, b] = w_k (f[k, b] - f[k, a]) is positive exactly for the voters closer to a than
    # to b, i.e. on a's side of the midpoint (a + b)/2. With voters sorted by position those are a
    # prefix (a < b) or a suffix (a > b), so prefix sums give all pairs in O(N^2), not O(N^3).
    order = np.argsort(x, kind="stable")
    xs = x[order]
    C = np.vstack([np.zeros((1, xu.size)), np.cumsum((w[:, None] * f)[order], axis=0)])  # [N+1, U]
    mid = 0.5 * (xu[:, None] + xu[None, :])
    lower = xu[:, None] < xu[None, :]  # a below b: voters strictly below the midpoint
    j = np.where(lower, np.searchsorted(xs, mid, side="left"), np.searchsorted(xs, mid, side="right"))
    cols = np.arange(xu.size)
    a_idx, b_idx = np.broadcast_to(cols[:, None], j.shape), np.broadcast_to(cols[None, :], j.shape)
    pre = C[j, b_idx] - C[j, a_idx]
    suf = (C[-1][b_idx] - C[j, b_idx]) - (C[-1][a_idx] - C[j, a_idx])
    pos = np.where(lower, pre, suf)
    np.fill_diagonal(pos, 0.0)
    pos = np.maximum(pos, 0.0)
    if opt.p_denominator == "scholz":
        # sum of |vote| over voters and all ordered pairs of actors' positions
        den = 2.0 * float(mult @ pos @ mult)
        pu = pos / den if den > 0 else np.zeros_like(pos)
    else:
        den2 = pos + pos.T
        pu = np.divide(pos, den2, out=np.zeros_like(pos), where=den2 > 0)
    return np.asarray(pu[np.ix_(inv, inv)])


def _util(delta: np.ndarray, r: np.ndarray, sign: float) -> np.ndarray:
    return 2.0 - 4.0 * np.clip(0.5 + sign * 0.5 * delta, 0.0, None) ** r


def _eu(
    P: np.ndarray, s: np.ndarray, delta: np.ndarray, dmu: np.ndarray, r: np.ndarray, opt: EUOptions
) -> np.ndarray:
    """[N, N] E(i challenges j) with exponent r[i, j] (broadcastable)."""
    us = _util(delta, r, -1.0)
    uf = _util(delta, r, +1.0)
    usq = 2.0 - 4.0 * 0.5**r
    e = s[None, :] * (P * us + (1 - P) * uf) + (1 - s[None, :]) * us - opt.q * usq
    if opt.q < 1.0:
        q2 = np.clip(0.5 - 0.25 * (dmu[:, None] + delta), 0.0, None)
        q3 = np.clip(0.5 + 0.25 * (dmu[:, None] + delta), 0.0, None)
        ub = 2.0 - 4.0 * q2**r
        uw = 2.0 - 4.0 * q3**r
        e = e - (1 - opt.q) * (opt.t * ub + (1 - opt.t) * uw)
    return np.asarray(e)


@dataclass(frozen=True)
class EURound:
    """Diagnostics of one round: risk (R, r), P, and the offer each actor accepted."""

    R: np.ndarray
    r: np.ndarray
    P: np.ndarray
    new: np.ndarray
    kind: list[str]  # "", "confrontation", "compromise", "capitulation"
    partner: np.ndarray  # index of the proposer whose offer was taken, -1 if none


def eu_round(x: np.ndarray, c: np.ndarray, s: np.ndarray, opt: EUOptions) -> EURound:
    """One round of the model on one dimension."""
    n = x.size
    w = c * s
    span = float(x.max() - x.min())
    if span <= 0:
        return EURound(np.zeros(n), np.ones(n), np.zeros((n, n)), x.copy(), [""] * n, -np.ones(n, int))
    mu = condorcet_median(x, w) if opt.mu == "median" else float((w * x).sum() / w.sum())
    delta = np.abs(x[:, None] - x[None, :]) / span
    dmu = np.abs(x - mu) / span
    one = np.ones(n)
    E1 = _eu(_prob(x, w, one, span, opt), s, delta, dmu, np.ones((1, 1)), opt)
    danger = E1.sum(axis=0) - np.diag(E1)  # danger_i = sum_{j != i} E(j challenges i)
    dmax, dmin = danger.max(), danger.min()
    R = (2 * danger - dmax - dmin) / (dmax - dmin) if dmax > dmin else np.zeros(n)
    r = (1 - R / 3) / (1 + R / 3)
    P = _prob(x, w, r, span, opt)
    # e_a[a, o] = E(a challenges o) seen by a; e_o[a, o] = E(o challenges a) seen by a.
    e_a = _eu(P, s, delta, dmu, r[:, None], opt)
    if opt.risk_view == "receiver":
        e_o = _eu(P, s, delta, dmu, r[None, :], opt).T  # row a uses r_a
    else:
        e_o = _eu(P, s, delta, dmu, r[:, None], opt).T  # o's own exponent
    differ = x[:, None] != x[None, :]
    conf = differ & (e_o > e_a) & (e_a > 0)
    comp = differ & (e_o > 0) & (e_a < 0) & (e_o > np.abs(e_a))
    capit = (
        differ & (e_o > 0) & (e_a < 0) & (e_o < np.abs(e_a))
        if opt.capitulation == "on"
        else np.zeros_like(conf)
    )
    ratio = np.divide(np.abs(e_a), e_o, out=np.zeros_like(e_a), where=e_o > 0)
    target = np.where(comp, x[:, None] + (x[None, :] - x[:, None]) * ratio, x[None, :])
    move = np.abs(target - x[:, None])
    key = np.where(comp & (opt.compromise_order == "largest"), -move, move)
    kinds = [("confrontation", conf), ("compromise", comp), ("capitulation", capit)]
    new = x.copy()
    kind = [""] * n
    partner = -np.ones(n, dtype=int)
    chosen = np.zeros(n, dtype=bool)
    groups = kinds if opt.offer_order == "type" else [("any", conf | comp | capit)]
    for name, mask in groups:
        avail = mask & ~chosen[:, None]
        rows = avail.any(axis=1)
        if not rows.any():
            continue
        k = np.where(avail, key, np.inf)
        kmin = k.min(axis=1, keepdims=True)
        tie = avail & (k <= kmin + 1e-12)
        # among equal keys the lowest resulting position wins (the reference code's tuple order)
        tpos = np.where(tie, target, np.inf)
        pick = np.argmin(tpos, axis=1)
        for a in np.flatnonzero(rows):  # loop over receivers only, to record diagnostics
            o = int(pick[a])
            new[a] = target[a, o]
            partner[a] = o
            if name == "any":
                kind[a] = "confrontation" if conf[a, o] else "compromise" if comp[a, o] else "capitulation"
            else:
                kind[a] = name
        chosen |= rows
    return EURound(R, r, P, new, kind, partner)


def run_eu(problem: Problem, rounds: int = 10, options: EUOptions | None = None) -> BargainResult:
    """Run `rounds` rounds on every dimension; forecast = weighted mean and Condorcet median."""
    opt = options or EUOptions()
    if rounds < 0:
        raise UserError(f"--rounds {rounds}: must be >= 0")
    N, D = problem.position.shape
    hist = np.empty((rounds + 1, N, D))
    hist[0] = problem.position
    medians = np.empty((rounds + 1, D))
    c = problem.capability
    round1: list[dict[str, object]] = []
    for d in range(D):
        s = problem.salience[:, d]
        x = problem.position[:, d].astype(float)
        medians[0, d] = condorcet_median(x, c * s)
        for t in range(rounds):
            rd = eu_round(x, c, s, opt)
            if t == 0:
                round1.append(
                    {
                        "R": rd.R.round(6).tolist(),
                        "r": rd.r.round(6).tolist(),
                        "moves": {
                            problem.actors[a]: {
                                "kind": rd.kind[a],
                                "with": problem.actors[int(rd.partner[a])],
                                "to": float(rd.new[a]),
                            }
                            for a in range(N)
                            if rd.kind[a]
                        },
                    }
                )
            x = rd.new
            hist[t + 1, :, d] = x
            medians[t + 1, d] = condorcet_median(x, c * s)
    w = c[:, None] * problem.salience
    means = (w[None] * hist).sum(axis=1) / np.where(w.sum(axis=0) > 0, w.sum(axis=0), 1.0)
    osc = detect_oscillation(hist, c, problem.salience)
    forecast = {
        "expected": [float(v) for v in means[-1]],
        "most_likely": [float(v) for v in medians[-1]],
        "p_most_likely": None,
        "note": "expected = weighted mean of final positions; most_likely = Condorcet median",
    }
    return BargainResult(
        model="eu",
        actors=problem.actors,
        dimensions=problem.dimensions,
        history=hist,
        probabilities=None,
        forecast=forecast,
        baselines=baselines(problem.position, c, problem.salience),
        oscillation=osc.as_dict(),
        options=asdict(opt),
        stop_reason=f"fixed number of rounds ({rounds})",
        extra={
            "weighted_mean_by_round": means.round(6).tolist(),
            "condorcet_median_by_round": medians.round(6).tolist(),
            "round1": round1,
        },
    )
