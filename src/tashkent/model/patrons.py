"""Great powers' tilt in a crisis (issue 8): a patron's backing lowers what escalation costs its
client (reassurance — the moral hazard of alliances, Snyder 1984 'The Security Dilemma in Alliance
Politics', World Politics 36(4); Crawford 2003 'Pivotal Deterrence', Cornell UP) and raises it for
the client's opponent (extended deterrence: China's ultimatum to India of 16 Sep 1965, the US
Seventh Fleet in the Bay of Bengal in December 1971). For party i, with t_gi the net tilt of great
power g toward i (Kydd) and L_g its leverage, the push to escalate changes by

    e · Σ_g L_g · (w_embolden · max(t_gi, 0) − w_deter · max(−t_gi, 0)),

e being the share of leverage brought to bear in a crisis (`gp_engagement`). Computed once per run
and passed to the escalation logit as one argument."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params


def crisis_tilt(gp_bias: Array, gp_leverage: Array, engagement: Array, p: Params) -> Array:
    """Patrons' effect [2, n] on each party's push to escalate; gp_bias [G, 2], gp_leverage [G]."""
    n = engagement.shape[0]
    if gp_bias.shape[0] == 0:
        return np.zeros((2, n))
    t = (gp_bias - gp_bias[:, ::-1]) / 2.0  # [G, 2]
    back = (gp_leverage[:, None] * np.maximum(t, 0.0)).sum(axis=0)  # [2]
    threat = (gp_leverage[:, None] * np.maximum(-t, 0.0)).sum(axis=0)  # [2]
    return engagement[None, :] * (
        p["patron_embolden"][None, :] * back[:, None] - p["patron_deter"][None, :] * threat[:, None]
    )
