"""The eighth, blind held-out grounded set (evals/heldout/grounded_h.py): its own
balance of languages, origins and trap families, its bios' bans, and none of the
earlier sets' trap wording (tests/unit/test_eval_heldout_grounded_sets.py checks what it
shares with the other sets: true labels, a careful answer quoting the line it relies on
never counted wrong, coverage, blindness; and tests/unit/test_eval_heldout.py, with
every held-out file, that the generator reproduces the committed file and that each
case is a valid job input)."""

from __future__ import annotations

import random
from collections import Counter

from evals import grounding
from evals.heldout import grounded_h
from evals.heldout.generate import GROUNDED_H_SEED

CASES = grounded_h.grounded_h_cases(random.Random(GROUNDED_H_SEED))


def test_bios__ban_the_team_total_and_the_share_added_up_as_invented():
    for case in CASES:
        if case["kind"] == "bio":
            assert set(case["banned"].values()) == {"invented"}, case["id"]


def test_set__balances_kinds_languages_origins_and_traps():
    assert all(20 <= n <= 24 for k, n in grounded_h.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    # About a quarter in French, German or Spanish.
    assert 0.2 < (len(CASES) - langs["en"]) / len(CASES) < 0.33
    # Every case bans exactly one invented figure.
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] == len(CASES) and origins["distractor"] >= 140
    patterns = Counter(c["pattern"] for c in CASES)
    # A realistic mix: about 40 % plain, 30 % an old family in new forms, 30 % a new one.
    old = sum(patterns[p] for p in grounded_h.OLD_FAMILIES)
    new = sum(patterns[p] for p in grounded_h.NEW_FAMILIES)
    assert 0.35 < patterns["plain"] / len(CASES) < 0.45
    assert 0.27 < old / len(CASES) < 0.34 and 0.27 < new / len(CASES) < 0.34


def test_set__uses_none_of_the_earlier_sets_trap_wording():
    """Old families come in new forms: none of the earlier sets' tell-tale words or marks."""
    worn = (
        "superseded",
        "no longer",
        "updated",
        "automatic summary",
        "archived",
        "~~",
        "edit:",
        "typing slip",
        "typo",
        "correction notice",
    )
    for case in CASES:
        text = grounding.plain_text(case["input"]).casefold()
        assert not [w for w in worn if w in text], case["id"]
