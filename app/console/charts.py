"""Horizontal bar charts for console pages, laid out here and drawn by the page as
inline SVG (templates/charts.html): no script and no external library, so the strict
Content-Security-Policy holds, the chart is there before any script runs, and it is
the same in every browser.

Bars are sized in percent of the chart's width and their labels sit above them, so a
chart fits any width down to a phone's without scaling its text. Each chart carries
its own text alternative (every label with its values), and a page shows a table of
the same figures beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

LONGEST_BAR = 72.0
"""Percent of the chart's width the longest bar takes: the rest is for its value."""
LABEL_HEIGHT = 18
BAR_HEIGHT = 12
BAR_GAP = 3
ROW_GAP = 10
MAX_LABEL = 48

Number = Decimal | float | int


@dataclass(frozen=True)
class Bar:
    series: int
    text: str
    percent: float
    y: int


@dataclass(frozen=True)
class Row:
    label: str
    full_label: str
    y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """A laid-out chart: ``rows`` with their bars, ``series`` names (a legend when
    there are several), ``height`` in pixels."""

    title: str
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    height: int

    @property
    def description(self) -> str:
        """The chart as text, for its ``<desc>``: every row's label and values."""
        parts = []
        for row in self.rows:
            values = ", ".join(
                f"{self.series[bar.series]} {bar.text}" if len(self.series) > 1 else bar.text
                for bar in row.bars
            )
            parts.append(f"{row.full_label}: {values}")
        return f"{self.title}. " + "; ".join(parts) + "."


def bar_chart(
    title: str,
    rows: Iterable[tuple[str, Sequence[Number | None]]],
    *,
    series: Sequence[str],
    text: Callable[[Number | None], str],
    scale_max: Number | None = None,
) -> Chart:
    """Lay out ``rows`` of (label, one value per series) as horizontal bars, all on one
    scale: the largest value (or ``scale_max``) is the longest bar. A missing value
    (None) has no bar; ``text`` writes each value beside its bar."""
    given = [(label, list(values)) for label, values in rows]
    largest = max(
        [float(v) for _, values in given for v in values if v is not None] + [0.0],
    )
    top = float(scale_max) if scale_max is not None else largest
    laid: list[Row] = []
    y = 0
    for label, values in given:
        bars = []
        bar_y = y + LABEL_HEIGHT
        for index, value in enumerate(values):
            share = 0.0 if value is None or top <= 0 else min(float(value) / top, 1.0)
            bars.append(Bar(index, text(value), round(share * LONGEST_BAR, 2), bar_y))
            bar_y += BAR_HEIGHT + BAR_GAP
        laid.append(Row(_short(label), label, y, tuple(bars)))
        y = bar_y + ROW_GAP
    return Chart(title, tuple(series), tuple(laid), max(y - ROW_GAP, 0))


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
