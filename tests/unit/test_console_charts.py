"""Bar chart layout of the console (app/console/charts.py): one scale per chart, missing
values without a bar, a text alternative naming every value."""

from __future__ import annotations

from decimal import Decimal

from app.console.charts import LONGEST_BAR, MAX_LABEL, bar_chart


def test_bar_chart__the_largest_value_is_the_longest_bar_and_others_scale_to_it():
    chart = bar_chart(
        "Cost",
        [("a", [Decimal("2")]), ("b", [Decimal("1")]), ("c", [0])],
        series=("cost",),
        text=str,
    )
    assert [row.bars[0].percent for row in chart.rows] == [LONGEST_BAR, LONGEST_BAR / 2, 0]
    ys = [row.y for row in chart.rows]
    assert ys == sorted(ys) and len(set(ys)) == 3  # rows stacked, never overlapping
    assert chart.height > ys[-1]


def test_bar_chart__scale_max_caps_bars_and_missing_values_have_none():
    chart = bar_chart(
        "Rates",
        [("v1", [0.5, None]), ("v2", [2, 0.25])],
        series=("success", "refusal"),
        text=lambda v: "—" if v is None else f"{v:.0%}",
        scale_max=1,
    )
    v1, v2 = chart.rows
    assert [b.percent for b in v1.bars] == [LONGEST_BAR / 2, 0]
    assert v2.bars[0].percent == LONGEST_BAR  # over the scale: capped, not off the chart
    assert chart.description == "Rates. v1: success 50%, refusal —; v2: success 200%, refusal 25%."


def test_bar_chart__long_labels_are_shortened_but_the_description_keeps_them():
    label = "k" * 200
    chart = bar_chart("Cost", [(label, [1])], series=("cost",), text=str)
    assert len(chart.rows[0].label) == MAX_LABEL and chart.rows[0].label.endswith("…")
    assert label in chart.description


def test_bar_chart__no_rows_and_all_zero_values_lay_out_without_dividing_by_zero():
    assert bar_chart("Empty", [], series=("x",), text=str).height == 0
    chart = bar_chart("Zero", [("a", [0]), ("b", [None])], series=("x",), text=str)
    assert [row.bars[0].percent for row in chart.rows] == [0, 0]
