"""SVG charts, written by hand (the harness uses Python's standard library only): latency
percentiles per target on a log scale, and the share each replica served."""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, LEFT, RIGHT = 960, 300, 40  # the plot runs from LEFT to WIDTH - RIGHT
ROW, PANEL_GAP, TOP = 18, 34, 64
FONT = "font-family='sans-serif'"
PERCENTILES = (("p50", "#4477aa", "circle"), ("p99", "#ee6677", "square"), ("p99.9", "#228833", "triangle"))
REPLICA_COLOURS = ("#cc3311", "#88ccee", "#44aa99", "#ddcc77", "#aa4499")  # the bad replica first


@dataclass(frozen=True)
class LatencyRow:
    label: str
    p50_ms: float
    p99_ms: float
    p999_ms: float


@dataclass(frozen=True)
class ShareRow:
    label: str
    shares: list[float]  # per replica, summing to 1


def _svg(height: int, title: str, subtitle: str, body: list[str]) -> str:
    return "\n".join([
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' viewBox='0 0 {WIDTH} {height}'>",
        f"<rect width='{WIDTH}' height='{height}' fill='white'/>",
        f"<text x='12' y='22' {FONT} font-size='16' font-weight='bold'>{escape(title)}</text>",
        f"<text x='12' y='40' {FONT} font-size='12' fill='#555'>{escape(subtitle)}</text>",
        *body, "</svg>", ""])


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{colour}'/>"
    if shape == "square":
        return f"<rect x='{x - 4:.1f}' y='{y - 4:.1f}' width='8' height='8' fill='{colour}'/>"
    return f"<path d='M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z' fill='{colour}'/>"


def latency_chart(title: str, subtitle: str, panels: list[tuple[str, list[LatencyRow]]]) -> str:
    """One row per target, its p50, p99 and p99.9 on a shared logarithmic axis; one panel per scenario."""
    values = [v for _, rows in panels for r in rows for v in (r.p50_ms, r.p99_ms, r.p999_ms) if v > 0]
    low = 10 ** math.floor(math.log10(min(values, default=1)))
    high = 10 ** math.ceil(math.log10(max(values, default=10)))
    if high <= low:
        high = low * 10

    def x(ms: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (math.log10(max(ms, low)) - math.log10(low)) / (math.log10(high) - math.log10(low))

    body, y = [], TOP
    for i, (name, colour, shape) in enumerate(PERCENTILES):  # legend
        body.append(_marker(shape, LEFT + 10 + 90 * i, 50, colour))
        body.append(f"<text x='{LEFT + 20 + 90 * i}' y='54' {FONT} font-size='12'>{name}</text>")
    for panel, rows in panels:
        y += PANEL_GAP
        body.append(f"<text x='12' y='{y - 10}' {FONT} font-size='12' font-weight='bold'>{escape(panel)}</text>")
        top = y
        for row in rows:
            body.append(f"<text x='{LEFT - 8}' y='{y + 4}' {FONT} font-size='12' text-anchor='end'>{escape(row.label)}</text>")
            body.append(f"<line x1='{x(row.p50_ms):.1f}' y1='{y}' x2='{x(row.p999_ms):.1f}' y2='{y}' stroke='#bbb' stroke-width='2'/>")
            for (_, colour, shape), value in zip(PERCENTILES, (row.p50_ms, row.p99_ms, row.p999_ms)):
                body.append(_marker(shape, x(value), y, colour))
            y += ROW
        body += _log_axis(low, high, x, top - ROW / 2, y - ROW / 2)
        y += 14
    return _svg(int(y + 10), title, subtitle, body)


def _log_axis(low: float, high: float, x, top: float, bottom: float) -> list[str]:
    lines = []
    decade = low
    while decade <= high * 1.0001:
        for step in (1, 2, 5):
            value = decade * step
            if value > high * 1.0001:
                break
            major = step == 1
            lines.append(f"<line x1='{x(value):.1f}' y1='{top:.1f}' x2='{x(value):.1f}' y2='{bottom:.1f}' "
                         f"stroke='{'#ccc' if major else '#eee'}'/>")
            lines.append(f"<text x='{x(value):.1f}' y='{bottom + 12:.1f}' {FONT} font-size='10' fill='#555' "
                         f"text-anchor='middle'>{value:g} ms</text>")
        decade *= 10
    # Grid first, so the markers are drawn over it.
    return lines


def share_chart(title: str, subtitle: str, replicas: list[str], panels: list[tuple[str, list[ShareRow]]]) -> str:
    """One stacked bar per target: the share of requests each replica received; one panel per fault."""
    span = WIDTH - LEFT - RIGHT
    body, y = [], TOP
    for i, name in enumerate(replicas):  # legend
        body.append(f"<rect x='{LEFT + 130 * i}' y='45' width='12' height='12' fill='{REPLICA_COLOURS[i]}'/>")
        body.append(f"<text x='{LEFT + 16 + 130 * i}' y='55' {FONT} font-size='12'>{escape(name)}</text>")
    for panel, rows in panels:
        y += PANEL_GAP
        body.append(f"<text x='12' y='{y - 10}' {FONT} font-size='12' font-weight='bold'>{escape(panel)}</text>")
        for row in rows:
            body.append(f"<text x='{LEFT - 8}' y='{y + 4}' {FONT} font-size='12' text-anchor='end'>{escape(row.label)}</text>")
            left = LEFT
            for i, share in enumerate(row.shares):
                width = span * share
                body.append(f"<rect x='{left:.1f}' y='{y - 6}' width='{width:.1f}' height='12' fill='{REPLICA_COLOURS[i]}'/>")
                left += width
            bad = row.shares[0] if row.shares else 0
            body.append(f"<text x='{LEFT + 4}' y='{y + 4}' {FONT} font-size='10' fill='white'>{100 * bad:.1f} %</text>"
                        if bad > 0.06 else
                        f"<text x='{LEFT + span * bad + 4:.1f}' y='{y + 4}' {FONT} font-size='10'>{100 * bad:.2f} %</text>")
            y += ROW
        y += 6
    return _svg(int(y + 10), title, subtitle, body)
