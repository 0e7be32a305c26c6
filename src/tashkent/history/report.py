"""A self-contained, offline HTML report of back-test results (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from tashkent.history.backtest import BASELINE_NAMES, METRICS, reliability_pairs
from tashkent.history.scoring import reliability_bins


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _reliability_figure(result: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.plot([0, 1], [0, 1], color="#999", lw=1, ls="--", label="perfect reliability")
    for name, marker in zip(result["forecasters"], "osD^v", strict=False):
        ps, os_ = reliability_pairs(result, name)
        bins = reliability_bins(ps, os_, n_bins=5)
        ax.plot(
            [b["mean_forecast"] for b in bins],
            [b["observed"] for b in bins],
            marker=marker,
            label=name,
        )
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Reliability (rung ≥ 4, ≥ 5, nuclear, mediation)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


def _per_crisis_figure(result: dict[str, Any], forecaster: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    crises = result["crises"]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(crises) + 1.2))
    for i, e in enumerate(crises):
        probs = e["forecasts"][forecaster]["rung_probs"]
        left = 0.0
        for k, p in enumerate(probs):
            ax.barh(i, p, left=left, color=plt.cm.YlOrRd(k / 6), edgecolor="white", lw=0.5)
            left += p
        cdf = sum(probs[: e["outcome"]["rung"]]) + probs[e["outcome"]["rung"]] / 2
        ax.plot(cdf, i, "k|", ms=12, mew=2)
    from matplotlib.patches import Patch

    handles = [Patch(color=plt.cm.YlOrRd(k / 6), label=f"rung {k}") for k in range(7)]
    ax.legend(
        handles=handles,
        ncol=7,
        fontsize=7,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
    )
    ax.set_yticks(range(len(crises)))
    ax.set_yticklabels([f"{e['trigger_date'][:4]} {e['name']}" for e in crises], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"{forecaster}: P(highest rung = 0 … 6), stacked; | = the rung that happened")
    return _png(fig)


def _fmt(x: Any) -> str:
    return "–" if x is None else (f"{x:.3f}" if isinstance(x, float) else html.escape(str(x)))


def wrong_statements(result: dict[str, Any], forecaster: str) -> list[str]:
    """Plain sentences on where `forecaster` does worst, derived from the scores."""
    out: list[str] = []
    for metric, rule in METRICS.items():
        own = result["scores"][metric].get(forecaster)
        clim = result["scores"][metric].get("climatology")
        if own is not None and clim is not None and forecaster != "climatology" and own > clim:
            out.append(
                f"On {metric} ({rule}) it scores {own:.3f}, worse than climatology's "
                f"{clim:.3f}: the record's plain frequencies forecast this better."
            )
    worst = sorted(
        (
            (
                e["scores"][forecaster]["rung"],
                e["name"],
                e["outcome"]["rung"],
                e["forecasts"][forecaster]["rung_probs"],
            )
            for e in result["crises"]
        ),
        reverse=True,
    )[:3]
    for score, name, rung, probs in worst:
        mode = max(range(len(probs)), key=lambda k: probs[k])
        out.append(
            f"{name}: it reached rung {rung} but the forecast's most likely rung was "
            f"{mode} (P = {probs[mode]:.2f}; RPS {score:.3f})."
        )
    crises = result["crises"]
    for key, label, observed in (
        ("p_rung_ge4", "P(rung ≥ 4)", lambda o: o["rung"] >= 4),
        ("p_rung_ge5", "P(rung ≥ 5)", lambda o: o["rung"] >= 5),
        ("p_mediation", "P(mediation)", lambda o: bool(o["mediation"])),
    ):
        mean_p = sum(e["forecasts"][forecaster][key] for e in crises) / len(crises)
        freq = sum(observed(e["outcome"]) for e in crises) / len(crises)
        if abs(mean_p - freq) >= 0.1:
            word = "over" if mean_p > freq else "under"
            out.append(
                f"It {word}-forecasts {label}: {mean_p:.2f} on average against an observed "
                f"frequency of {freq:.2f}."
            )
    with_duration = [e for e in crises if e["outcome"]["duration_days"]]
    inside = sum(
        e["forecasts"][forecaster]["duration_quantiles"]["q10"]
        <= e["outcome"]["duration_days"]
        <= e["forecasts"][forecaster]["duration_quantiles"]["q90"]
        for e in with_duration
    )
    if with_duration:
        out.append(
            f"Its 10–90% duration range holds the actual duration in {inside} of "
            f"{len(with_duration)} crises (a calibrated forecaster would hold about 80%)."
        )
    n = len(result["crises"])
    out.append(
        f"Only {n} crises are scored, so every interval is wide; skill that does not "
        "exclude 0 in the table is not evidence of skill."
    )
    return out


def render_html(results: list[dict[str, Any]], title: str = "tashkent back-test") -> str:
    """The report for one or more designs (e.g. loo and temporal)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
        "color:#222}table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;"
        "padding:.25em .5em;text-align:right}th:first-child,td:first-child{text-align:left}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Each crisis is forecast from its trigger-day conditions by forecasters fitted only on "
        "other crises. Lower scores are better. Skill = 1 − score / baseline score, with a 90% "
        "paired bootstrap interval over crises.</p>",
    ]
    for result in results:
        names = result["forecasters"]
        lead = names[0]
        parts.append(f"<h2>Design: {html.escape(result['method'])}</h2>")
        parts.append(f"<p>{html.escape(result['design'])}; {len(result['crises'])} crises.</p>")
        parts.append(
            "<table><tr><th>metric</th><th>rule</th><th>n</th>"
            + "".join(f"<th>{html.escape(n)}</th>" for n in names)
            + "".join(f"<th>{html.escape(lead)} skill vs {b}</th>" for b in BASELINE_NAMES if b != lead)
            + "</tr>"
        )
        for metric, rule in METRICS.items():
            row = f"<tr><td>{metric}</td><td>{rule}</td><td>{result['n'][metric]}</td>"
            row += "".join(f"<td>{_fmt(result['scores'][metric][n])}</td>" for n in names)
            for b in BASELINE_NAMES:
                if b == lead:
                    continue
                s = result["skill"][metric].get(lead, {}).get(b)
                row += (
                    f"<td>{s['skill']:+.2f} [{s['low']:+.2f}, {s['high']:+.2f}]</td>" if s else "<td>–</td>"
                )
            parts.append(row + "</tr>")
        parts.append("</table>")
        parts.append("<h3>Reliability</h3>")
        parts.append(
            f"<img alt='reliability diagram' src='data:image/png;base64,{_reliability_figure(result)}'>"
        )
        parts.append(f"<h3>Per-crisis forecast vs outcome ({html.escape(lead)})</h3>")
        parts.append(
            f"<img alt='per-crisis forecasts' src='data:image/png;base64,{_per_crisis_figure(result, lead)}'>"
        )
        parts.append(
            "<table><tr><th>crisis</th><th>rung</th><th>P(≥4)</th><th>P(≥5)</th>"
            "<th>nuclear</th><th>P(nuc)</th><th>mediation</th><th>P(med)</th>"
            "<th>days</th><th>median days</th></tr>"
        )
        for e in result["crises"]:
            fc, out = e["forecasts"][lead], e["outcome"]
            parts.append(
                f"<tr><td>{e['trigger_date'][:4]} {html.escape(e['name'])}</td>"
                f"<td>{out['rung']}</td><td>{fc['p_rung_ge4']:.2f}</td>"
                f"<td>{fc['p_rung_ge5']:.2f}</td><td>{out['nuclear_signal']}</td>"
                f"<td>{fc['p_nuclear_signal']:.2f}</td><td>{'yes' if out['mediation'] else 'no'}"
                f"</td><td>{fc['p_mediation']:.2f}</td><td>{_fmt(out['duration_days'])}</td>"
                f"<td>{fc['duration_quantiles']['q50']:.0f}</td></tr>"
            )
        parts.append("</table>")
        parts.append(f"<h3>What {html.escape(lead)} gets wrong</h3><ul>")
        parts.extend(f"<li>{html.escape(s)}</li>" for s in wrong_statements(result, lead))
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
