"""KTAB's Spatial Model of Politics (SMP), restated and vectorised with numpy.

One turn ("bargain, compete, negotiate"), positions x_i in [0, 1]^D (input / 100), saliences
s_id in [0, 1] with total S_i = sum_d s_id <= 1, capabilities c_i, ideals equal to positions
(KTAB's CSV default, the identity accommodation matrix):

1. distance d(i, j) = sqrt( sum_d (s_id (x_jd − x_id))^2 / sum_d s_id^2 ); utility
   u(d, R) = (1 − d)(1 + d R).
2. risk attitudes: a probabilistic Condorcet election (PCE) over all current positions with
   risk-neutral utilities and capability-weighted votes gives P_i; ``big_r_range=mid`` maps it to
   R_i = (3 P_i − (P_max + 2 P_min)) / (2 (P_max − P_min)) in [−½, 1]. Actor h's estimate of i's
   attitude is R^h_i = (2 R_h + R_i)/3 (``big_r_adjust=one_third``), giving one utility matrix
   U^h[a, b] = u(d(a, b), R^h_a) per perspective h.
3. challenge i → j, from i's perspective (h = i): the principals' strengths are
   vote(S_i c_i, U_ii, U_ij) and vote(S_j c_j, U_jj, U_ji); every third party n first estimates,
   in a "little" contest where it adds its own vote to the side it prefers, the chance p that i
   wins, then votes between joining i and joining j using the expected *sum of utilities* of the
   positions of i, j and itself (``third_party_commit``: semi — a third party on the losing side
   adopts the winner's position, on the winning side keeps its own; full — it adopts the winner's
   position either way; none — it never moves). Positive votes add to i's coalition, negative to
   j's; the victory-probability law (``victory_prob``) turns the two strengths into P(i beats j).
   ΔEU = (1 − S_j)·2U_ii + S_j·(P·2U_ii + (1 − P)·2U_ij) − (U_ii + U_ij); i challenges the j with
   the largest ΔEU if it exceeds 1e-5.
4. bargain (``bargain_interp=s2p2``): per dimension w_i = s_id² P², w_j = s_jd² (1 − P)²;
   i is offered ((w_i + 1e-6) x_i + w_j x_j) / (w_i + w_j + 1e-6) and j is offered
   (w_i x_i + (w_j + 1e-6) x_j) / (w_i + w_j + 1e-6), both rounded to 4 decimals.
5. resolution: each actor k's queue holds the status quo and every bargain in which k is initiator
   or receiver; each actor a values a bargain by its mean utility (own R_a) over all N actors'
   positions after it; a capability-weighted PCE over the queue picks the bargain (argmax when
   ``transitions=deterministic``; sampled from the seeded generator when ``stochastic``); k adopts
   its side.
6. stop when the turn's total movement sum_i ||x_i^t − x_i^{t−1}|| falls below 2 % of the first
   turn's (from turn 2 on), or after ``max_turns`` turns.

Per state the forecast is each actor's own-utility PCE over the distinct positions (positions
closer than 1e-3 are one option; an actor's probability is that of the last option it matches,
as KTAB reports it).

Everything is arrays over [perspective, actor, actor]; no Python loop runs over actor pairs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from tashkent.bargain.baselines import baselines, detect_oscillation
from tashkent.bargain.inputs import Problem
from tashkent.bargain.options import SMPOptions
from tashkent.bargain.result import BargainResult
from tashkent.errors import UserError

MIN_COALITION = 1e-8
POS_TOL = 1e-3
BARGAIN_MIN_W = 1e-6
CHALLENGE_MIN = 1e-5
SMP_MAX_ACTORS = 300  # about 2 minutes on one core (benchmarks/RESULTS.md); memory grows as N²

_GAMMA = {"linear": 1.0, "square": 2.0, "quartic": 4.0, "octic": 8.0}
_ADJUST = {"none": 0.0, "one_third": 1 / 3, "half": 0.5, "two_thirds": 2 / 3, "full": 1.0}


# ---------------------------------------------------------------- building blocks (pure functions)

# Arrays over [actor, actor, actor] are built one block of rows at a time so that memory grows as
# N² (time as N³, like KTAB's SMP): BLOCK_ELEMENTS float64 values (16 MB) per temporary.
BLOCK_ELEMENTS = 2_000_000


def _blocks(n_rows: int, per_row: int) -> list[slice]:
    size = max(1, BLOCK_ELEMENTS // max(per_row, 1))
    return [slice(s, min(n_rows, s + size)) for s in range(0, n_rows, size)]


def _perspectives(D: np.ndarray, Rh: np.ndarray, h: np.ndarray) -> np.ndarray:
    """U^h[a, b] = u(d(a, b), R^h_a) for the perspectives h: [len(h), N, N]."""
    return utility(D[None, :, :], Rh[h][:, :, None])


def distances(x: np.ndarray, sal: np.ndarray) -> np.ndarray:
    """[N, N] salience-weighted RMS distance from actor a's ideal (= position) to b's position."""
    diff = x[None, :, :] - x[:, None, :]
    num = ((sal[:, None, :] * diff) ** 2).sum(axis=2)
    den = (sal**2).sum(axis=1)[:, None]
    return np.sqrt(np.divide(num, den, out=np.zeros_like(num), where=den > 0))


def utility(d: np.ndarray, R: np.ndarray) -> np.ndarray:
    """u(d, R) = (1 − d)(1 + d R) for d <= 1, extended linearly beyond."""
    return np.where(d <= 1.0, (1 - d) * (1 + d * R), -(d - 1) * (1 + R))


def vote(rule: str, w: np.ndarray | float, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Vote of weight w between options with utilities ua and ub (> 0 favours a)."""
    du = np.asarray(ua) - np.asarray(ub)
    if rule == "proportional":
        return np.asarray(w * du)
    binary = np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "binary":
        return np.asarray(w * binary)
    if rule == "propbin":
        return np.asarray(w * (0.8 * du + 0.2 * binary))
    if rule == "cubic":
        return np.asarray(w * du**3)
    if rule == "propcbc":
        return np.asarray(w * (0.5 * du + 0.5 * du**3))
    if rule == "asymprosp":  # gains count two thirds as much as losses
        return np.asarray(w * np.where(du > 0, 2.0 / 3.0 * du, du))
    raise ValueError(rule)


def victory(law: str, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """P(a beats b) from coalition strengths."""
    ca, cb = np.asarray(ca, float), np.asarray(cb, float)
    tot = ca + cb
    if law == "binary":  # a 10 % strength advantage gives certainty, linear inside the band
        big = np.maximum(np.maximum(ca, cb), 1e-300)
        return np.asarray(np.clip(0.5 + 0.5 * (ca - cb) / (0.1 * big), 0.0, 1.0))
    g = _GAMMA[law]
    if g == 1.0:
        return np.divide(ca, tot, out=np.full_like(tot, 0.5), where=tot > 0)
    a, b = ca**g, cb**g
    return np.divide(a, a + b, out=np.full_like(tot, 0.5), where=(a + b) > 0)


def pce(w: np.ndarray, U: np.ndarray, opt: SMPOptions) -> np.ndarray:
    """Probabilistic Condorcet election: voters [N], utilities U [N, M] over M options -> [M]."""
    M = U.shape[1]
    C = np.empty((M, M))
    for blk in _blocks(M, U.shape[0] * M):  # [k, a, b] one block of options a at a time
        V = vote(opt.voting_rule, w[:, None, None], U[:, blk, None], U[:, None, :])
        C[blk] = MIN_COALITION + np.clip(V, 0, None).sum(axis=0)
    pm = victory(opt.victory_prob, C, C.T)
    if opt.pce == "conditional":
        logp = np.log(np.clip(pm, 1e-300, None)).sum(axis=1)
        p = np.exp(logp - logp.max())
        return np.asarray(p / p.sum())
    # Markov chains over options: from a, a challenger b (uniform, or in proportion to its
    # coalition strength against a) displaces a with probability p(b > a).
    if opt.pce == "markov_uniform":
        pick = np.full((M, M), 1.0 / max(M - 1, 1))
    else:
        strength = C.T.copy()  # strength[a, b] = C(b:a)
        np.fill_diagonal(strength, 0.0)
        rs = strength.sum(axis=1, keepdims=True)
        pick = np.divide(strength, rs, out=np.full((M, M), 1.0 / max(M - 1, 1)), where=rs > 0)
    T = pick * pm.T  # T[a, b] = pick(b | a) * p(b beats a)
    np.fill_diagonal(T, 0.0)
    np.fill_diagonal(T, 1.0 - T.sum(axis=1))
    p = np.full(M, 1.0 / M)
    for _ in range(1000):
        q = p @ T
        if np.abs(q - p).max() < 1e-10:
            p = q
            break
        p = q
    return np.asarray(p / p.sum())


def risk_attitudes(D: np.ndarray, cap: np.ndarray, opt: SMPOptions) -> np.ndarray:
    """[N] R_i from the PCE over all current positions with risk-neutral utilities."""
    p = pce(cap, utility(D, np.zeros(D.shape[0])[:, None]), opt)
    pmin, pmax = p.min(), p.max()
    if pmax - pmin <= 0:
        return np.zeros_like(p)
    if opt.big_r_range == "min":
        return np.asarray((p - pmin) / (pmax - pmin))
    if opt.big_r_range == "max":
        return np.asarray((2 * p - (pmax + pmin)) / (pmax - pmin))
    return np.asarray((3 * p - (pmax + 2 * pmin)) / (2 * (pmax - pmin)))


def distinct(x: np.ndarray, tol: float = POS_TOL) -> tuple[np.ndarray, np.ndarray]:
    """Representatives (first of each group closer than `tol`) and, per actor, the index of the
    last representative it matches."""
    n = x.shape[0]
    close = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2) < tol
    reps: list[int] = []
    for i in range(n):  # loop over actors (a greedy pass), not pairs
        if not reps or not close[i, reps].any():
            reps.append(i)
    r = np.asarray(reps)
    m = close[:, r]
    last = m.shape[1] - 1 - np.argmax(m[:, ::-1], axis=1)
    return r, last


def win_probabilities(
    x: np.ndarray, U_own: np.ndarray, cap: np.ndarray, opt: SMPOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-state forecast: (per-actor probability [N], representatives, option probabilities)."""
    reps, idx = distinct(x)
    p = pce(cap, U_own[:, reps], opt)
    return p[idx], reps, p


@dataclass(frozen=True)
class Turn:
    new: np.ndarray  # [N, D]
    R: np.ndarray
    target: np.ndarray  # [N] chosen challenge target, -1 if none
    p_challenge: np.ndarray  # [N] P(i beats its target) from i's view
    adopted: np.ndarray  # [N] index of the initiator of the bargain each actor adopted, -1 for SQ


def _challenge(
    D: np.ndarray,
    Rh: np.ndarray,
    w: np.ndarray,
    S: np.ndarray,
    opt: SMPOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """ΔEU[i, j] and P[i, j] of i challenging j as seen by i, a block of initiators at a time."""
    N = D.shape[0]
    du = np.empty((N, N))
    P = np.empty((N, N))
    for blk in _blocks(N, N * N):
        rows = np.arange(N)[blk]
        du[blk], P[blk] = _challenge_rows(_perspectives(D, Rh, rows), rows, w, S, opt)
    return du, P


def _challenge_rows(
    Ui: np.ndarray,
    rows: np.ndarray,
    w: np.ndarray,
    S: np.ndarray,
    opt: SMPOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """ΔEU and P for initiators `rows`; Ui[b] is U^i for i = rows[b], [B, a, b]."""
    N = Ui.shape[1]
    ar = np.arange(N)
    bb = np.arange(rows.size)
    u_ii = Ui[bb, rows, rows]  # [i]
    u_i_j = Ui[bb, rows, :]  # [i, j]: U^i(i, j)
    u_j_j = Ui[:, ar, ar]  # [i, j]: U^i(j, j)
    u_j_i = Ui[bb, :, rows]  # [i, j]: U^i(j, i)
    ci = vote(opt.voting_rule, w[rows][:, None], u_ii[:, None], u_i_j)  # [i, j] >= 0
    cj = vote(opt.voting_rule, w[None, :], u_j_j, u_j_i)  # [i, j] >= 0
    u_ni = Ui[bb, :, rows][:, :, None]  # [i, n, 1]: U^i(n, i)
    u_nj = Ui  # [i, n, j]: U^i(n, j)
    u_nn = Ui[:, ar, ar][:, :, None]  # [i, n, 1]
    vn = vote(opt.voting_rule, w[None, :, None], u_ni, u_nj)  # n's own preference
    a = ci[:, None, :] + np.clip(vn, 0, None)
    b = cj[:, None, :] + np.clip(-vn, 0, None)
    pin = victory(opt.victory_prob, a, b)  # P(i wins) in the little contest
    pjn = 1.0 - pin
    if opt.third_party_commit == "semi":
        ei = pin * (2 * u_ni + u_nn) + (1 - pin) * 3 * u_nj
        ej = pjn * (2 * u_nj + u_nn) + (1 - pjn) * 3 * u_ni
    elif opt.third_party_commit == "full":
        ei = pin * 3 * u_ni + (1 - pin) * 3 * u_nj
        ej = pjn * 3 * u_nj + (1 - pjn) * 3 * u_ni
    else:
        ei = pin * (2 * u_ni + u_nn) + (1 - pin) * (2 * u_nj + u_nn)
        ej = pjn * (2 * u_nj + u_nn) + (1 - pjn) * (2 * u_ni + u_nn)
    v = vote(opt.voting_rule, w[None, :, None], ei, ej)  # [i, n, j]
    third = np.ones((rows.size, N, N), dtype=bool)
    third[bb, rows, :] = False  # n = i
    third[:, ar, ar] = False  # n = j
    v = np.where(third, v, 0.0)
    chij = ci + np.clip(v, 0, None).sum(axis=1)
    chji = cj + np.clip(-v, 0, None).sum(axis=1)
    P = victory(opt.victory_prob, chij, chji)
    euSQ = u_ii[:, None] + u_i_j
    euVict = 2 * u_ii[:, None]
    euCont = P * 2 * u_ii[:, None] + (1 - P) * 2 * u_i_j
    du = (1 - S[None, :]) * euVict + S[None, :] * euCont - euSQ
    du[bb, rows] = -np.inf
    return du, P


def _interp(
    xi: np.ndarray, xj: np.ndarray, si: np.ndarray, sj: np.ndarray, P: np.ndarray, opt: SMPOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Bargain positions for initiators and receivers, arrays [B, D]; P is [B, 1]."""
    if opt.bargain_interp == "s2p2":
        wi, wj = si**2 * P**2, sj**2 * (1 - P) ** 2
    else:
        wi, wj = si * P, sj * (1 - P)
    bI = ((wi + BARGAIN_MIN_W) * xi + wj * xj) / (wi + wj + BARGAIN_MIN_W)
    bJ = (wi * xi + (wj + BARGAIN_MIN_W) * xj) / (wi + wj + BARGAIN_MIN_W)
    return np.round(bI, 4), np.round(bJ, 4)


def smp_turn(
    x: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    opt: SMPOptions,
    rng: np.random.Generator | None = None,
) -> Turn:
    """One BCN turn from positions x [N, D] in [0, 1]."""
    N = x.shape[0]
    ar = np.arange(N)
    S = sal.sum(axis=1)
    w = S * cap
    D = distances(x, sal)
    R = risk_attitudes(D, cap, opt)
    k = _ADJUST[opt.big_r_adjust]
    Rh = (1 - k) * R[:, None] + k * R[None, :]  # [h, a]: h's estimate of a's attitude
    du, P = _challenge(D, Rh, w, S, opt)
    du = np.nan_to_num(du, nan=0.0, neginf=-np.inf)
    best = np.argmax(du, axis=1)
    has = du[ar, best] > CHALLENGE_MIN
    init = ar[has]
    rcvr = best[has]
    pij = P[init, rcvr][:, None]
    if opt.bargain_model == "pw_comp":
        cw = (cap * S)[:, None]
        b = (cw[init] * x[init] + cw[rcvr] * x[rcvr]) / np.maximum(cw[init] + cw[rcvr], 1e-300)
        bI = bJ = np.round(b, 4)
    else:
        bI, bJ = _interp(x[init], x[rcvr], sal[init], sal[rcvr], pij, opt)
        if opt.bargain_model == "init_rcvr" and init.size:
            # the receiver's own estimate of the same contest gives the receiver's side
            Pr = np.concatenate(
                [
                    _challenge_from(_perspectives(D, Rh, rcvr[blk]), init[blk], rcvr[blk], w, S, opt)[1]
                    for blk in _blocks(init.size, N * N)
                ]
            )
            _, bJ = _interp(x[init], x[rcvr], sal[init], sal[rcvr], Pr[:, None], opt)
    B = init.size
    # Utilities of bargains: actor a's mean utility (own attitude) over all actors' positions.
    Uown = utility(D, R[:, None])  # [a, n]
    base = Uown.sum(axis=1)  # [a]
    new = x.copy()
    adopted = -np.ones(N, dtype=int)
    if B:
        dI = _dist_to(x, sal, bI)  # [a, B]
        dJ = _dist_to(x, sal, bJ)
        gain = utility(dI, R[:, None]) + utility(dJ, R[:, None]) - Uown[:, init] - Uown[:, rcvr]
        ub = (base[:, None] + gain) / N  # [a, B]
        usq = base / N
        member = (init[None, :] == ar[:, None]) | (rcvr[None, :] == ar[:, None])  # [k, B]
        for kk in range(N):  # one election per actor's queue (loop over actors, not pairs)
            q = np.flatnonzero(member[kk])
            if q.size == 0:
                continue
            opts_u = np.concatenate([usq[:, None], ub[:, q]], axis=1)
            pq = pce(cap, opts_u, opt)
            if opt.transitions == "stochastic":
                if rng is None:
                    raise ValueError("stochastic transitions need a random generator")
                m = int(rng.choice(pq.size, p=pq))
            else:
                m = int(np.argmax(pq))
            if m == 0:
                continue
            bidx = q[m - 1]
            new[kk] = bI[bidx] if init[bidx] == kk else bJ[bidx]
            adopted[kk] = int(init[bidx])
    target = -np.ones(N, dtype=int)
    target[init] = rcvr
    pch = np.full(N, np.nan)
    pch[init] = pij[:, 0]
    return Turn(new, R, target, pch, adopted)


def _challenge_from(
    Uh: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    w: np.ndarray,
    S: np.ndarray,
    opt: SMPOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """ΔEU and P of challenges i[b] -> j[b] as seen by h[b], with Uh[b] = U^h[b] (batch b)."""
    bb = np.arange(i.size)
    u_ii, u_ij = Uh[bb, i, i], Uh[bb, i, j]
    u_jj, u_ji = Uh[bb, j, j], Uh[bb, j, i]
    ci = vote(opt.voting_rule, w[i], u_ii, u_ij)
    cj = vote(opt.voting_rule, w[j], u_jj, u_ji)
    u_ni, u_nj = Uh[bb, :, i], Uh[bb, :, j]  # [B, n]
    u_nn = np.diagonal(Uh, axis1=1, axis2=2)
    vn = vote(opt.voting_rule, w[None, :], u_ni, u_nj)
    pin = victory(opt.victory_prob, ci[:, None] + np.clip(vn, 0, None), cj[:, None] + np.clip(-vn, 0, None))
    pjn = 1 - pin
    if opt.third_party_commit == "semi":
        ei = pin * (2 * u_ni + u_nn) + (1 - pin) * 3 * u_nj
        ej = pjn * (2 * u_nj + u_nn) + (1 - pjn) * 3 * u_ni
    elif opt.third_party_commit == "full":
        ei, ej = pin * 3 * u_ni + (1 - pin) * 3 * u_nj, pjn * 3 * u_nj + (1 - pjn) * 3 * u_ni
    else:
        ei = pin * (2 * u_ni + u_nn) + (1 - pin) * (2 * u_nj + u_nn)
        ej = pjn * (2 * u_nj + u_nn) + (1 - pjn) * (2 * u_ni + u_nn)
    v = vote(opt.voting_rule, w[None, :], ei, ej)
    n = np.arange(Uh.shape[1])[None, :]
    v = np.where((n != i[:, None]) & (n != j[:, None]), v, 0.0)
    P = victory(opt.victory_prob, ci + np.clip(v, 0, None).sum(1), cj + np.clip(-v, 0, None).sum(1))
    du = (1 - S[j]) * 2 * u_ii + S[j] * (P * 2 * u_ii + (1 - P) * 2 * u_ij) - (u_ii + u_ij)
    return du, P


def _dist_to(x: np.ndarray, sal: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """[N, B] distance from each actor's ideal to each point in pts [B, D]."""
    diff = pts[None, :, :] - x[:, None, :]
    num = ((sal[:, None, :] * diff) ** 2).sum(axis=2)
    den = (sal**2).sum(axis=1)[:, None]
    return np.sqrt(np.divide(num, den, out=np.zeros_like(num), where=den > 0))


def _state_forecast(
    x: np.ndarray, sal: np.ndarray, cap: np.ndarray, opt: SMPOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    D = distances(x, sal)
    R = risk_attitudes(D, cap, opt)
    return win_probabilities(x, utility(D, R[:, None]), cap, opt)


def run_smp(
    problem: Problem,
    options: SMPOptions | None = None,
    seed: int | None = None,
    max_turns: int | None = None,
) -> BargainResult:
    """Run the SMP until its stopping rule; `seed` drives stochastic transitions."""
    opt = options or SMPOptions()
    if problem.salience.sum(axis=1).max() > 1 + 1e-9:
        raise UserError(
            f"{problem.source or problem.name}: an actor's saliences sum to more than 100; the SMP "
            "treats total salience as a probability, so scale them to sum to at most 100"
        )
    if problem.n_actors > SMP_MAX_ACTORS:
        raise UserError(
            f"{problem.source or problem.name}: {problem.n_actors} actors; the SMP handles at most "
            f"{SMP_MAX_ACTORS} (its time grows as N³ per turn, like KTAB's); use --model eu or fewer actors"
        )
    limit = max_turns if max_turns is not None else opt.max_turns
    rng = np.random.default_rng(seed)
    cap, sal = problem.capability, problem.salience
    x = problem.position / 100.0
    hist = [x]
    p0, _, _ = _state_forecast(x, sal, cap, opt)
    probs = [p0]
    first = None
    stop = f"turn limit ({limit})"
    challenges: list[list[int]] = []
    for it in range(1, limit + 1):
        tr = smp_turn(hist[-1], sal, cap, opt, rng)
        hist.append(tr.new)
        challenges.append(tr.target.tolist())
        p, _, _ = _state_forecast(tr.new, sal, cap, opt)
        probs.append(p)
        moved = float(np.linalg.norm(tr.new - hist[-2], axis=1).sum())
        if it == 1:
            first = moved
        elif moved / ((first or 0.0) + 1e-4) < opt.stop_ratio:
            stop = f"movement below {opt.stop_ratio:g} of the first turn's"
            break
    H = np.array(hist) * 100.0
    Pr = np.array(probs)
    final = hist[-1]
    _, reps, popt = _state_forecast(final, sal, cap, opt)
    best = int(np.argmax(popt))
    forecast = {
        "expected": [float(v) for v in (popt[:, None] * final[reps]).sum(axis=0) * 100.0],
        "most_likely": [float(v) for v in final[reps[best]] * 100.0],
        "p_most_likely": float(popt[best]),
        "options": [
            {
                "position": [float(v) for v in final[r] * 100.0],
                "probability": float(pp),
                "actors": [
                    problem.actors[a]
                    for a in np.flatnonzero(np.linalg.norm(final - final[r], axis=1) < POS_TOL)
                ],
            }
            for r, pp in sorted(zip(reps.tolist(), popt.tolist(), strict=True), key=lambda t: -t[1])
        ],
    }
    osc = detect_oscillation(H, cap, sal)
    return BargainResult(
        model="smp",
        actors=problem.actors,
        dimensions=problem.dimensions,
        history=H,
        probabilities=Pr,
        forecast=forecast,
        baselines=baselines(problem.position, cap, sal),
        oscillation=osc.as_dict(),
        options={**asdict(opt), "seed": seed},
        stop_reason=stop,
        extra={"challenges": challenges},
    )
