"""Small server-side SVG charts for the pages (no JavaScript, nothing fetched from elsewhere)."""

from __future__ import annotations

import math
from html import escape
from typing import Any


def band_chart(points: list[dict[str, Any]], title: str, width: int = 560, height: int = 220) -> str:
    """A probability by turn with its 90 % interval: points carry x label, p, lo, hi."""
    if not points:
        return ""
    left, right, top, bottom = 46, 12, 26, 34
    w, h = width - left - right, height - top - bottom
    n = len(points)
    top_p = max(pt["hi"] for pt in points)
    ymax = min(1.0, max(0.05, math.ceil(top_p * 1.2 / 0.05) * 0.05))  # zoom on small probabilities

    def x(i: int) -> float:
        return left + (w * i / (n - 1) if n > 1 else w / 2)

    def y(p: float) -> float:
        return top + h * (1 - p / ymax)

    band_up = " ".join(f"{x(i):.1f},{y(pt['hi']):.1f}" for i, pt in enumerate(points))
    band_dn = " ".join(f"{x(i):.1f},{y(pt['lo']):.1f}" for i, pt in reversed(list(enumerate(points))))
    line = " ".join(f"{x(i):.1f},{y(pt['p']):.1f}" for i, pt in enumerate(points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f'<text x="{left}" y="16" class="ct">{escape(title)}</text>',
    ]
    for p in (ymax * k / 4 for k in range(5)):
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y(p):.1f}" y2="{y(p):.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y(p) + 4:.1f}" class="ax" text-anchor="end">{p:.2f}</text>')
    parts.append(f'<polygon points="{band_up} {band_dn}" class="band"/>')
    parts.append(f'<polyline points="{line}" class="line" fill="none"/>')
    for i, pt in enumerate(points):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(pt["p"]):.1f}" r="3" class="dot"/>')
        label = escape(str(pt["x"]))
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + h + 16}" class="ax" text-anchor="middle">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
