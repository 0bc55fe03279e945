"""Small server-side SVG charts: no script, print well, scale to a phone's width.

Text in the charts is only numbers and short date labels; titles and legends live in the
HTML around them, so they wrap and translate like any other text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 34


@dataclass
class Series:
    name: str  # CSS class suffix
    values: list[float | None]


def _axis(max_value: float, *, percent: bool) -> list[str]:
    out = []
    plot_h = HEIGHT - TOP - BOTTOM
    for frac in (0, 0.5, 1):
        y = TOP + plot_h * (1 - frac)
        value = max_value * frac
        label = f"{value * 100:.0f}%" if percent else f"{value:.0f}"
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    return out


def _x_labels(labels: list[str], step: float, left: float) -> list[str]:
    every = max(1, len(labels) // 6)
    return [
        f'<text class="tick" x="{left + step * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0 or i == len(labels) - 1
    ]


def bar_chart(labels: list[str], series: list[Series], *, title: str) -> SafeString:
    """Grouped bars, one group per label."""
    top = max([v or 0 for s in series for v in s.values] + [1])
    top = _nice(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    bar_w = step * 0.8 / max(1, len(series))
    parts = _axis(top, percent=False)
    for i in range(len(labels)):
        for j, s in enumerate(series):
            value = s.values[i] or 0
            h = plot_h * value / top
            x = LEFT + step * i + step * 0.1 + bar_w * j
            parts.append(
                f'<rect class="bar bar-{s.name}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(labels[i])}: '
                f"{value:g}</title></rect>"
            )
    parts += _x_labels(labels, step, LEFT)
    return _svg(parts, title)


def line_chart(labels: list[str], series: Series, *, title: str) -> SafeString:
    """One rate (0–1) per label; gaps where there is nothing to measure."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    parts = _axis(1.0, percent=True)
    points = []
    for i, value in enumerate(series.values):
        if value is None:
            if len(points) > 1:
                parts.append(f'<polyline class="line" points="{" ".join(points)}"/>')
            points = []
            continue
        x, y = LEFT + step * (i + 0.5), TOP + plot_h * (1 - value)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>'
            f"{escape(labels[i])}: {value * 100:.0f}%</title></circle>"
        )
    if len(points) > 1:
        parts.append(f'<polyline class="line" points="{" ".join(points)}"/>')
    parts += _x_labels(labels, step, LEFT)
    return _svg(parts, title)


def _nice(value: float) -> float:
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500):
        if value <= candidate:
            return candidate
    magnitude = 10 ** (len(str(int(value))) - 1)
    return float((int(value) // magnitude + 1) * magnitude)


def _svg(parts: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every value above is a number or escaped
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
