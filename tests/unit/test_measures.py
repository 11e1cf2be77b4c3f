"""Measures (app/llm/measures.py): the amounts a sentence states with their units, and
when two sentences contest each other's figure."""

from __future__ import annotations

import pytest

from app.llm.measures import disagree, measures, rivals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The fee is €18.16 a month.", {("money", "18.16")}),
        ("La tarifa es de 108,73 €.", {("money", "108.73")}),
        ("Costs USD 1,200 per seat.", {("money", "1200")}),
        ("CHF 24.00 a month.", {("money", "24")}),
        ("Es kostet 1.240,50 €.", {("money", "1240.5")}),
        ("The refund window is 41 days.", {("day", "41")}),
        ("Die Laufzeit beträgt 40 Monate.", {("monat", "40")}),
        ("A 15 000 km allowance.", {("km", "15000")}),
        ("A 20% discount.", {("%", "20")}),
        ("Delivery takes 5 to 7 days.", {("day", "5-7")}),
        ("Nothing to count here.", set()),
    ],
)
def test_measures__reads_amounts_with_their_units(text, expected):
    assert measures(text) == expected


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("The charge is €18.16.", "The charge is €16.79.", True),
        ("The window is 41 days.", "The window is 35 days.", True),
        ("The limit is €545.38.", "The limit is roughly 545 euros.", True),
        # A price in another currency is another price.
        ("The price is CHF 24.00.", "The price is €20.50.", True),
        # One unit each: nothing to compare.
        ("The window is 41 days.", "The fee is €35.", False),
        # The same value, and one more besides: not a rival value.
        ("The fee is €18.", "The fee is €18, towels €2.", False),
        ("The fee is €18.", "The fee is €18.", False),
        # One amount written two ways is one value.
        ("The fee is €45.", "The fee is €45.00.", False),
        ("The deposit is €1,200.", "Just to confirm, the deposit is €1200.", False),
        # A point inside a range agrees with it; another range does not.
        ("It arrives within 5 business days.", "It arrives in 5 to 7 business days.", False),
        ("It arrives in 3-5 business days.", "It arrives in 5 to 7 business days.", True),
    ],
)
def test_disagree__different_values_of_one_unit(one, other, expected):
    assert disagree(one, other) is expected


def test_rivals__the_same_point_with_another_value():
    sent = "On the Standard plan, the refund window is 41 days."
    assert rivals(sent, "[DRAFT] On the Standard plan, the refund window is 35 days.")
    # Another value, but about something else.
    assert not rivals(sent, "Delivery to the islands takes 35 days by sea freight.")
