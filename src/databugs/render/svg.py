"""Small charts as inline SVG, written here: bars, a histogram, a heatmap and a scatter.

A plotting library took 2 s to import and draw four plots into a page that a 30 s scan then
waited for; these take milliseconds. Every text is escaped here (data text never becomes
markup) and the shapes use presentation attributes only, so the page needs no style or script
for them. Sizes are in pixels of a 640-pixel-wide figure that the page scales to fit.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from databugs.text import one_line, visible

WIDTH = 640
FONT = 11
CHAR = 6.1
"""Pixels an average character of ``FONT``-pixel sans-serif takes: enough room for names."""
NAME_CHARS = 28
HOW_CHARS = 105
INK = "#222222"
GRID = "#dddddd"


def name_text(name: object) -> str:
    """A name as shown beside a bar or cell: one line of at most ``NAME_CHARS`` characters."""
    return one_line(name, NAME_CHARS)


@dataclass
class Canvas:
    """SVG elements collected in drawing order."""

    width: float
    height: float
    parts: list[str] = field(default_factory=list)

    def text(
        self,
        x: float,
        y: float,
        content: object,
        *,
        size: float = FONT,
        anchor: str = "start",
        colour: str = INK,
        vertical: bool = False,
        bold: bool = False,
    ) -> None:
        turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if vertical else ""
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}"{weight}{turn}>{escape(visible(str(content)))}</text>'
        )

    def rect(
        self, x: float, y: float, width: float, height: float, fill: str, tip: str = ""
    ) -> None:
        title = f"<title>{escape(visible(tip))}</title>" if tip else ""
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
            f'height="{max(height, 0):.1f}" fill="{fill}">{title}</rect>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = INK) -> None:
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"/>'
        )

    def dots(self, points: Sequence[tuple[float, float]], colour: str, size: float) -> None:
        """Many dots as one path of zero-length strokes with round ends (compact)."""
        if points:
            path = "".join(f"M{x:.1f} {y:.1f}h0" for x, y in points)
            self.parts.append(
                f'<path d="{path}" stroke="{colour}" stroke-width="{size}" '
                'stroke-linecap="round" fill="none"/>'
            )

    def svg(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" '
            f'height="{self.height:.0f}" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
            f'font-family="sans-serif" role="img">{"".join(self.parts)}</svg>'
        )


@dataclass(frozen=True)
class Area:
    """The plotting area of a figure, in pixels."""

    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


def figure(title: str, how: str, area: Area, below: float = 34) -> Canvas:
    """A canvas with its title above ``area`` and its one-line "how to read this" under it
    (part of the drawing, so every copy of the plot carries it)."""
    lines = textwrap.wrap(f"How to read this: {how}", HOW_CHARS)
    canvas = Canvas(WIDTH, area.bottom + below + 13 * len(lines) + 6)
    canvas.text(WIDTH / 2, 18, title, size=12, anchor="middle", bold=True)
    for number, line in enumerate(lines):
        canvas.text(8, area.bottom + below + 13 * number + 4, line, size=10, colour="#555555")
    return canvas


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low`` to ``high`` (steps of 1, 2 or 5 times a power of 10);
    the first and last are the axis' ends, never the same value."""
    if not high > low:
        return [low, low + max(abs(low), 1.0)]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    digits = 2 - math.floor(math.log10(step))  # 0.6, not 0.6000000000000001
    ticks = [round(step * i, digits) for i in range(first, last + 1)]
    return ticks if ticks[-1] > ticks[0] else [low, low + max(abs(low), 1.0)]


def tick_text(value: float, step: float | None = None) -> str:
    """A tick's figure: as many decimals as the ``step`` between ticks needs (1,000.5 and
    1,001.0 stay apart), thousands separated from 10,000 (a year stays 2019)."""
    if not step or step <= 0:
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.3g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:,.{decimals}f}" if abs(value) >= 10_000 else f"{value:.{decimals}f}"


def _step(ticks: Sequence[float]) -> float:
    return ticks[1] - ticks[0] if len(ticks) > 1 else 1.0


def legend(canvas: Canvas, entries: Sequence[tuple[str, str]], y: float = 34) -> None:
    """Coloured squares and names, right-aligned above the plotting area."""
    x = WIDTH - 8
    for name, colour in reversed(entries):
        x -= CHAR * len(name) + 4
        canvas.text(x, y + 4, name, size=10)
        x -= 14
        canvas.rect(x, y - 5, 10, 10, colour)
        x -= 10


def bar_chart(
    names: Sequence[object],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    axis: str,
    how: str,
    high: float | None = None,
) -> str:
    """Horizontal bars, one per name, the series stacked (``(name, values, colour)``), the
    first name at the bottom; the axis runs from 0 to ``high`` (the longest bar if None)."""
    shown = [name_text(name) for name in names]
    left = 12 + CHAR * max(map(len, shown))
    area = Area(left, 46 if len(series) > 1 else 30, WIDTH - left - 24, 18 * len(names))
    canvas = figure(title, how, area)
    totals = [sum(values) for values in zip(*(values for _, values, _ in series), strict=True)]
    ticks = nice_ticks(0, max(totals, default=0) if high is None else high)
    scale = area.width / ticks[-1]
    _x_axis(canvas, area, ticks, scale, axis)
    for index, name in enumerate(shown):
        y = area.bottom - 18 * (index + 1)
        canvas.text(area.left - 6, y + 13, name, anchor="end")
        start = area.left
        for label, values, colour in series:
            value = values[index]
            canvas.rect(
                start, y + 3, value * scale, 13, colour, f"{names[index]}: {value:g} {label}"
            )
            start += value * scale
    if len(series) > 1:
        legend(canvas, [(label, colour) for label, _, colour in series])
    return canvas.svg()


def _x_axis(canvas: Canvas, area: Area, ticks: list[float], scale: float, name: str) -> None:
    for tick in ticks:
        x = area.left + tick * scale
        canvas.line(x, area.top, x, area.bottom, GRID)
        canvas.text(x, area.bottom + 13, tick_text(tick, _step(ticks)), size=10, anchor="middle")
    canvas.text(area.left + area.width / 2, area.bottom + 27, name, anchor="middle")


def histogram(
    edges: Sequence[float],
    series: Sequence[tuple[str, Sequence[int], str]],
    *,
    title: str,
    axes: tuple[str, str],
    how: str,
) -> str:
    """Stacked counts per bin on a logarithmic scale (``log(1 + count)``: a bin of 3 rows
    stays visible beside one of 3,000)."""
    area = Area(58, 46, WIDTH - 80, 170)
    canvas = figure(title, how, area)
    totals = [sum(counts) for counts in zip(*(counts for _, counts, _ in series), strict=True)]
    powers = [0, *(10**k for k in range(1, len(str(max(max(totals, default=1), 1))) + 1))]
    top = math.log10(1 + powers[-1])

    def height(count: float) -> float:
        return area.height * math.log10(1 + count) / top

    for power in powers:
        y = area.bottom - height(power)
        canvas.line(area.left, y, area.left + area.width, y, GRID)
        canvas.text(area.left - 5, y + 4, tick_text(power, 1), size=10, anchor="end")
    low, span = edges[0], (edges[-1] - edges[0]) or 1.0
    step = area.width / (len(edges) - 1)
    for index in range(len(edges) - 1):
        stacked = 0
        for label, counts, colour in series:
            bottom, stacked = height(stacked), stacked + counts[index]
            tip = f"{edges[index]:.2f}-{edges[index + 1]:.2f}: {counts[index]:,} {label}"
            x, bar = area.left + index * step, height(stacked) - bottom
            canvas.rect(x, area.bottom - bottom - bar, step - 1, bar, colour, tip)
    ticks = nice_ticks(low, edges[-1])
    for value in ticks:
        if low <= value <= edges[-1]:
            x = area.left + (value - low) / span * area.width
            text = tick_text(value, _step(ticks))
            canvas.text(x, area.bottom + 13, text, size=10, anchor="middle")
    canvas.text(area.left + area.width / 2, area.bottom + 27, axes[0], anchor="middle")
    canvas.text(14, area.top + area.height / 2, axes[1], anchor="middle", vertical=True)
    legend(canvas, [(label, colour) for label, _, colour in series])
    return canvas.svg()


@dataclass(frozen=True)
class Palette:
    """A colour scale through evenly spaced anchor colours; ``missing`` for cells without a
    value."""

    anchors: tuple[str, ...]
    missing: str = "#dddddd"

    def colour(self, share: float) -> str:
        """The colour at ``share`` (0 to 1) of the way along the scale."""
        position = min(max(share, 0.0), 1.0) * (len(self.anchors) - 1)
        index = min(int(position), len(self.anchors) - 2)
        low, high = rgb(self.anchors[index]), rgb(self.anchors[index + 1])
        mix = position - index
        red, green, blue = (a + (b - a) * mix for a, b in zip(low, high, strict=True))
        return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


REDS = Palette(("#fff5f0", "#fdd0bc", "#fc9c7d", "#f96a4b", "#e32f27", "#b11218", "#67000d"))
"""Light to dark red: counts (few to many)."""
VIRIDIS = Palette(("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"))
CIVIDIS = Palette(("#00224e", "#35456c", "#666970", "#948e77", "#c8b866", "#fee838"))
"""Blue to yellow, readable with every common colour-vision deficiency."""


def rgb(colour: str) -> tuple[float, float, float]:
    """``#rrggbb`` as three shares of full intensity."""
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def text_colour(colour: str) -> str:
    """Black on light cells, white on dark ones (by the cell colour's relative luminance)."""
    red, green, blue = rgb(colour)
    return "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"


@dataclass(frozen=True)
class Heatmap:
    """A grid of values (None: no value) with its names and how to colour and label it."""

    rows: Sequence[object]
    columns: Sequence[object]
    values: Sequence[Sequence[float | None]]
    palette: Palette
    span: tuple[float, float]
    cell_text: Callable[[int, int], str] | None = None
    """The text written in a cell (by row and column index), or None for colour alone."""


def heatmap(grid: Heatmap, *, title: str, axes: tuple[str, str], how: str, scale: str) -> str:
    """The grid as coloured cells, row names on the left, column names up the bottom, and a
    colour bar named ``scale`` on the right."""
    rows, columns = [name_text(n) for n in grid.rows], [name_text(n) for n in grid.columns]
    row_names = CHAR * max(map(len, rows))
    names = 30 + row_names  # row names and the axis name beside them
    cell = min(36.0, (WIDTH - 90 - names) / len(columns))
    left = names + (WIDTH - 90 - names - cell * len(columns)) / 2  # a small grid centred
    area = Area(left, 30, cell * len(columns), cell * len(rows))
    below = 18 + CHAR * max(map(len, columns))
    canvas = figure(title, how, area, below=below + 8)
    low, high = grid.span
    for i, name in enumerate(rows):
        canvas.text(area.left - 5, area.top + cell * (i + 0.5) + 4, name, anchor="end")
        for j, value in enumerate(grid.values[i]):
            share = 0.0 if value is None or high == low else (value - low) / (high - low)
            fill = grid.palette.missing if value is None else grid.palette.colour(share)
            x, y = area.left + cell * j, area.top + cell * i
            shown = "no value" if value is None else f"{value:.3g}"
            canvas.rect(x, y, cell, cell, fill, f"{grid.rows[i]} / {grid.columns[j]}: {shown}")
            text = grid.cell_text(i, j) if grid.cell_text else ""
            if text:
                middle = (x + cell / 2, y + cell / 2 + 3.5)
                colour = text_colour(fill) if value is not None else "#333333"
                canvas.text(*middle, text, size=9, anchor="middle", colour=colour)
    for j, name in enumerate(columns):
        x = area.left + cell * (j + 0.5) + 4
        canvas.text(x, area.bottom + 6, name, anchor="end", vertical=True)
    canvas.text(area.left + area.width / 2, area.bottom + below, axes[0], anchor="middle")
    beside = area.left - 14 - row_names
    canvas.text(beside, area.top + area.height / 2, axes[1], anchor="middle", vertical=True)
    _colour_bar(canvas, grid.palette, grid.span, area, scale)
    return canvas.svg()


def _colour_bar(
    canvas: Canvas, palette: Palette, span: tuple[float, float], area: Area, name: str
) -> None:
    """The scale beside a heatmap: 24 steps of colour, the low and high values written."""
    x, steps = area.left + area.width + 14, 24
    height = max(area.height, 60) / steps
    for step in range(steps):
        share = 1 - (step + 0.5) / steps
        canvas.rect(x, area.top + height * step, 12, height + 0.3, palette.colour(share))
    for value, y in ((span[1], area.top + 9), (span[0], area.top + height * steps)):
        canvas.text(x + 16, y, tick_text(value), size=10)
    canvas.text(
        x + 46, area.top + height * steps / 2, name, size=10, anchor="middle", vertical=True
    )


def scatter(
    series: Sequence[tuple[str, Sequence[tuple[float, float]], str, float]],
    *,
    title: str,
    axes: tuple[str, str],
    how: str,
) -> str:
    """Points (``(name, [(x, y)], colour, size)``) on shared axes with the diagonal y = x."""
    area = Area(64, 46, WIDTH - 88, 320)
    canvas = figure(title, how, area, below=36)
    values = [v for _, points, _, _ in series for point in points for v in point]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]

    def place(x: float, y: float) -> tuple[float, float]:
        return (
            area.left + (x - low) / (high - low) * area.width,
            area.bottom - (y - low) / (high - low) * area.height,
        )

    for tick in ticks:
        x, y = place(tick, tick)
        canvas.line(x, area.top, x, area.bottom, GRID)
        canvas.line(area.left, y, area.left + area.width, y, GRID)
        text = tick_text(tick, _step(ticks))
        canvas.text(x, area.bottom + 13, text, size=10, anchor="middle")
        canvas.text(area.left - 5, y + 4, text, size=10, anchor="end")
    canvas.line(*place(low, low), *place(high, high), "#555555")
    for _, points, colour, size in series:
        canvas.dots([place(x, y) for x, y in points], colour, size)
    canvas.text(area.left + area.width / 2, area.bottom + 28, axes[0], anchor="middle")
    canvas.text(14, area.top + area.height / 2, axes[1], anchor="middle", vertical=True)
    legend(canvas, [(name, colour) for name, _, colour, _ in series])
    return canvas.svg()
