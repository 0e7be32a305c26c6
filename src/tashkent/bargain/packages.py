"""Settlement packages scored against every actor's interests.

* Utility of actor i for a point z in issue space (0–100 per dimension): u_i(z) = 1 − d_i(z), with
  d_i(z) = sqrt( Σ_d (s_id (z_d − x_id)/100)² / Σ_d s_id² ) — the same salience-weighted distance
  the SMP uses — so u is 1 at i's own position and 0 at distance 100 on every salient dimension.
* Reservation utility r_p: what no agreement is worth. Parties: ``fixed`` from the spec, or
  ``model``: r_p = u_p(status quo) × (1 − expected_cost_p) (see `Reservation`). Other veto-holders:
  their utility of the status quo (they can keep it by blocking).
* Acceptable set of p: points with u_p(z) >= r_p. Support of a package: the share of total
  capability held by actors who like it at least as well as the status quo.
* Pareto frontier of the two parties: preferences are ellipsoidal, so the Pareto set is the curve
  z(t)_d = (t a_Id x_Id + (1 − t) a_Pd x_Pd) / (t a_Id + (1 − t) a_Pd), a_id = s_id² / Σ s_i²,
  t in [0, 1] (minimisers of t d_I² + (1 − t) d_P²; Pareto optimality is ordinal).
* Nash bargaining solution: the frontier point maximising (u_I − r_I)(u_P − r_P) with both gains
  >= 0. Kalai–Smorodinsky: the frontier point where each party's gain is the same share of its
  best gain within the zone.
* ZOPA: the part of the frontier where both u_p >= r_p. If empty, the smallest concession that
  opens one: the equal utility concession g (both lower r by g) and the least total concession.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tashkent.bargain.inputs import Problem, from_spec
from tashkent.scenario.bargaining import BargainingSpec

GRID = 2001


def utilities(problem: Problem, points: np.ndarray) -> np.ndarray:
    """[N, P] utility of every actor for points [P, D] on the 0–100 scale."""
    pts = np.atleast_2d(points) / 100.0
    x = problem.position / 100.0
    s = problem.salience
    diff = pts[None, :, :] - x[:, None, :]
    num = ((s[:, None, :] * diff) ** 2).sum(axis=2)
    den = (s**2).sum(axis=1)[:, None]
    d = np.sqrt(np.divide(num, den, out=np.zeros_like(num), where=den > 0))
    return np.asarray(1.0 - d)


@dataclass(frozen=True)
class Reservations:
    values: dict[str, float]
    mode: str  # "fixed", "model", or "model (fallback)"
    expected_cost: dict[str, float] = field(default_factory=dict)
    note: str = ""


def reservations(
    spec: BargainingSpec,
    problem: Problem,
    expected_cost: dict[str, float] | None = None,
    note: str = "",
) -> Reservations:
    """Reservation utility per party and veto-holder (see module docstring)."""
    sq = np.array([[spec.package(spec.status_quo).point[d] for d in problem.dimensions]])
    u_sq = utilities(problem, sq)[:, 0]
    idx = {a: k for k, a in enumerate(problem.actors)}
    vals: dict[str, float] = {}
    res = spec.reservation
    costs: dict[str, float] = {}
    if res.mode == "fixed":
        mode = "fixed"
        for p in spec.parties:
            vals[p] = float(res.fixed[p])
    else:
        if expected_cost is not None:
            mode, costs = "model", {p: float(expected_cost[p]) for p in spec.parties}
        else:
            mode = "model (fallback)"
            costs = {p: float(res.fallback_expected_cost.get(p, 0.0)) for p in spec.parties}
        for p in spec.parties:
            vals[p] = float(u_sq[idx[p]] * (1.0 - costs[p]))
    for v in spec.veto:
        if v not in vals:
            vals[v] = float(u_sq[idx[v]])
    return Reservations(vals, mode, costs, note)


@dataclass(frozen=True)
class Frontier:
    t: np.ndarray  # [G]
    points: np.ndarray  # [G, D] on 0–100
    u: np.ndarray  # [2, G] utilities of the two parties


def frontier(problem: Problem, parties: tuple[str, str], n: int = GRID) -> Frontier:
    """The two parties' Pareto set sampled at n values of t (t = 1: party 0's ideal)."""
    ia, ib = (problem.actors.index(p) for p in parties)
    s = problem.salience
    a = s**2 / np.maximum((s**2).sum(axis=1, keepdims=True), 1e-300)
    t = np.linspace(0.0, 1.0, n)[:, None]
    xa, xb = problem.position[ia][None, :], problem.position[ib][None, :]
    wa, wb = t * a[ia][None, :], (1 - t) * a[ib][None, :]
    tot = wa + wb
    mid = 0.5 * (xa + xb)
    z = np.where(tot > 0, (wa * xa + wb * xb) / np.where(tot > 0, tot, 1.0), mid)
    u = utilities(problem, z)[[ia, ib]]
    return Frontier(t[:, 0], z, u)


def _point(problem: Problem, parties: tuple[str, str], t: float) -> np.ndarray:
    ia, ib = (problem.actors.index(p) for p in parties)
    s = problem.salience
    a = s**2 / np.maximum((s**2).sum(axis=1, keepdims=True), 1e-300)
    wa, wb = t * a[ia], (1 - t) * a[ib]
    tot = wa + wb
    xa, xb = problem.position[ia], problem.position[ib]
    return np.asarray(np.where(tot > 0, (wa * xa + wb * xb) / np.where(tot > 0, tot, 1.0), 0.5 * (xa + xb)))


def _refine(f: Any, t0: float, step: float) -> float:
    lo, hi = max(0.0, t0 - step), min(1.0, t0 + step)
    if hi - lo <= 0:
        return t0
    from scipy.optimize import minimize_scalar  # imported on use: start-up of other commands

    r = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    return float(r.x) if f(float(r.x)) < f(t0) else t0


def bargaining_solutions(
    problem: Problem, parties: tuple[str, str], r: tuple[float, float]
) -> dict[str, Any]:
    """Nash and Kalai–Smorodinsky points, the ZOPA, or the smallest concession opening one."""
    fr = frontier(problem, parties)
    ia, ib = (problem.actors.index(p) for p in parties)
    ga, gb = fr.u[0] - r[0], fr.u[1] - r[1]
    feasible = (ga >= 0) & (gb >= 0)
    step = 1.0 / (GRID - 1)

    def gains(t: float) -> tuple[float, float]:
        u = utilities(problem, _point(problem, parties, t)[None, :])[:, 0]
        return float(u[ia] - r[0]), float(u[ib] - r[1])

    worst = np.minimum(ga, gb)
    te = _refine(lambda t: -min(gains(t)), float(fr.t[int(np.argmax(worst))]), step)
    exists = min(gains(te)) >= -1e-12
    out: dict[str, Any] = {"zopa_exists": bool(exists)}
    if exists and not feasible.any():  # a zone narrower than the grid: a single point
        out["zopa"] = {
            "t_range": [te, te],
            "ends": [_point(problem, parties, te).tolist()] * 2,
            "share_of_frontier": 0.0,
        }
        out["nash"] = out["kalai_smorodinsky"] = _solution(problem, parties, te, r)
        out["concession"] = None
    elif exists:
        k = np.flatnonzero(feasible)
        out["zopa"] = {
            "t_range": [float(fr.t[k[0]]), float(fr.t[k[-1]])],
            "ends": [fr.points[k[0]].tolist(), fr.points[k[-1]].tolist()],
            "share_of_frontier": float(k.size / GRID),
        }
        prod = np.where(feasible, ga * gb, -np.inf)

        def nash_obj(t: float) -> float:
            a_, b_ = gains(t)
            return -a_ * b_ if min(a_, b_) >= 0 else 1.0 - min(a_, b_)  # infeasible: worst

        tn = _refine(nash_obj, float(fr.t[int(np.argmax(prod))]), step)
        out["nash"] = _solution(problem, parties, tn, r)
        best_a, best_b = ga[feasible].max(), gb[feasible].max()
        ra = np.where(feasible, ga / max(best_a, 1e-12), np.nan)
        rb = np.where(feasible, gb / max(best_b, 1e-12), np.nan)
        gap = np.where(feasible, np.abs(ra - rb), np.inf)

        def ks_obj(t: float) -> float:
            a_, b_ = gains(t)
            if min(a_, b_) < 0:
                return 10.0 - min(a_, b_)
            return abs(a_ / max(best_a, 1e-12) - b_ / max(best_b, 1e-12))

        tk = _refine(ks_obj, float(fr.t[int(np.argmin(gap))]), step)
        out["kalai_smorodinsky"] = _solution(problem, parties, tk, r)
        out["concession"] = None
    else:
        g = -min(gains(te))
        short = np.maximum(0, -ga) + np.maximum(0, -gb)
        k2 = int(np.argmin(short))
        tt = _refine(lambda t: max(0.0, -gains(t)[0]) + max(0.0, -gains(t)[1]), float(fr.t[k2]), step)
        sa, sb = gains(tt)
        out["zopa"] = None
        out["nash"] = None
        out["kalai_smorodinsky"] = None
        out["concession"] = {
            "equal": {"each": float(g), "point": _point(problem, parties, te).tolist()},
            "least_total": {
                "total": float(max(0.0, -sa) + max(0.0, -sb)),
                parties[0]: float(max(0.0, -sa)),
                parties[1]: float(max(0.0, -sb)),
                "point": _point(problem, parties, tt).tolist(),
            },
        }
    out["frontier"] = {
        "t": fr.t[::20].tolist(),
        "points": fr.points[::20].tolist(),
        "u": fr.u[:, ::20].tolist(),
    }
    return out


def _solution(problem: Problem, parties: tuple[str, str], t: float, r: tuple[float, float]) -> dict[str, Any]:
    z = _point(problem, parties, t)
    u = utilities(problem, z[None, :])[:, 0]
    ia, ib = (problem.actors.index(p) for p in parties)
    return {
        "t": t,
        "point": z.tolist(),
        "utility": {parties[0]: float(u[ia]), parties[1]: float(u[ib])},
        "gain": {parties[0]: float(u[ia] - r[0]), parties[1]: float(u[ib] - r[1])},
    }


@dataclass
class PackageAnalysis:
    problem: Problem
    spec: BargainingSpec
    reservation: Reservations
    rows: list[dict[str, Any]]
    solutions: dict[str, Any]
    forecast: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.spec.name,
            "parties": list(self.spec.parties),
            "veto": list(self.spec.veto),
            "dimensions": [
                {"id": d.id, "label": d.label, "scale": {str(p.at): p.label for p in d.scale}}
                for d in self.spec.dimensions
            ],
            "actors": list(self.problem.actors),
            "reservation": {
                "mode": self.reservation.mode,
                "values": self.reservation.values,
                "expected_cost": self.reservation.expected_cost,
                "note": self.reservation.note,
            },
            "packages": self.rows,
            "nash": self.solutions["nash"],
            "kalai_smorodinsky": self.solutions["kalai_smorodinsky"],
            "zopa_exists": self.solutions["zopa_exists"],
            "zopa": self.solutions["zopa"],
            "concession": self.solutions["concession"],
            "frontier": self.solutions["frontier"],
            "forecast": self.forecast,
            "converged": (lambda r: None if r is None else r["id"])(
                converged_package(self.rows, self.spec.parties, self.reservation.values)
            ),
        }


def score(
    problem: Problem,
    spec: BargainingSpec,
    res: Reservations,
    pid: str,
    name: str,
    point: np.ndarray,
    kind: str,
) -> dict[str, Any]:
    """One row of the package table."""
    sq = np.array([spec.package(spec.status_quo).point[d] for d in problem.dimensions])
    u = utilities(problem, np.vstack([point, sq]))
    cap = problem.capability
    idx = {a: k for k, a in enumerate(problem.actors)}
    better = u[:, 0] >= u[:, 1] - 1e-12
    accept = {a: bool(u[idx[a], 0] >= v - 1e-12) for a, v in res.values.items()}
    return {
        "id": pid,
        "name": name,
        "kind": kind,
        "point": [float(v) for v in point],
        "utility": {a: float(u[k, 0]) for k, a in enumerate(problem.actors)},
        "acceptable": accept,
        "acceptable_to_all_veto": all(accept.values()),
        "support": float(cap[better].sum() / cap.sum()),
        "mean_utility": float((cap * u[:, 0]).sum() / cap.sum()),
    }


def analyse(
    spec: BargainingSpec, expected_cost: dict[str, float] | None = None, note: str = ""
) -> PackageAnalysis:
    """Score every package, the bargaining solutions and the forecast landing point."""
    from tashkent.bargain.smp import run_smp

    problem = from_spec(spec)
    res = reservations(spec, problem, expected_cost, note)
    r = (res.values[spec.parties[0]], res.values[spec.parties[1]])
    sol = bargaining_solutions(problem, spec.parties, r)
    rows = [
        score(
            problem,
            spec,
            res,
            p.id,
            p.name,
            np.array([p.point[d] for d in problem.dimensions]),
            "package",
        )
        for p in spec.packages
    ]
    for key, label in (
        ("nash", "Nash bargaining solution"),
        ("kalai_smorodinsky", "Kalai–Smorodinsky solution"),
    ):
        if sol[key] is not None:
            rows.append(score(problem, spec, res, key, label, np.array(sol[key]["point"]), "solution"))
    smp = run_smp(problem)
    land = np.array(smp.forecast["expected"])
    rows.append(score(problem, spec, res, "smp_forecast", "SMP forecast (expected)", land, "forecast"))
    wm = np.array(smp.baselines["weighted_mean"])
    rows.append(score(problem, spec, res, "weighted_mean", "Compromise (weighted mean)", wm, "baseline"))
    forecast = {
        "model": "smp",
        "expected": smp.forecast["expected"],
        "most_likely": smp.forecast["most_likely"],
        "p_most_likely": smp.forecast["p_most_likely"],
        "turns": smp.turns,
        **verdict(problem, spec, smp.history, next(r for r in rows if r["id"] == "smp_forecast")),
    }
    return PackageAnalysis(problem, spec, res, rows, sol, forecast)


MOVE_TOLERANCE = (
    1.0  # judgement: a principal that moves less than 1 point of 100 on every issue has not moved
)


def verdict(
    problem: Problem, spec: BargainingSpec, history: np.ndarray, landing: dict[str, Any]
) -> dict[str, Any]:
    """What the bargaining forecast can honestly claim (issue 8).

    * `principal_moves`: each party's largest move over the SMP turns, in points of 0–100;
    * `landing_acceptable`: for each party and veto-holder, whether the landing point gives it at
      least its reservation utility — a consent gate the forecast may not step over;
    * `converges`: the principals moved and the landing point is acceptable to every consent holder;
    * `verdict`: one sentence saying so, or saying plainly why the landing point is not a forecast
      of a settlement (the principals never move, so it is the third parties' average; or it is
      outside a consent holder's acceptable set)."""
    idx = {a: k for k, a in enumerate(problem.actors)}
    moves = {p: float(np.abs(history[:, idx[p]] - history[0, idx[p]]).max()) for p in spec.parties}
    ok = dict(landing["acceptable"])
    still = [p for p, m in moves.items() if m < MOVE_TOLERANCE]
    vetoed = [h for h, a in ok.items() if not a]
    if still:
        text = (
            f"{' and '.join(still)} never move over {history.shape[0] - 1} rounds: the landing point is "
            "where the third parties meet, not a forecast of a settlement between the parties"
        )
    elif vetoed:
        text = f"the landing point is below the reservation utility of {', '.join(vetoed)}, who can refuse it"
    else:
        text = "both parties move and the landing point is acceptable to every consent holder"
    return {
        "principal_moves": moves,
        "landing_acceptable": ok,
        "converges": not still and not vetoed,
        "verdict": text,
    }


def converged_package(
    rows: list[dict[str, Any]], parties: tuple[str, str], res: dict[str, float]
) -> dict[str, Any] | None:
    """The governance package a dialogue converges on: among the scenario's packages acceptable to
    both parties, the one with the largest Nash product of gains over the reservation utilities
    (Nash 1950); if none is acceptable to both, the one with the smallest total shortfall."""
    pkgs = [r for r in rows if r["kind"] == "package"]
    if not pkgs:
        return None
    a, b = parties
    ok = [r for r in pkgs if r["acceptable"][a] and r["acceptable"][b]]
    if ok:
        return max(ok, key=lambda r: (r["utility"][a] - res[a]) * (r["utility"][b] - res[b]))
    return min(pkgs, key=lambda r: sum(max(0.0, res[p] - r["utility"][p]) for p in parties))
