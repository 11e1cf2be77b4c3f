"""The ninth, blind held-out grounded set (evals/heldout/grounded_i.py): what is its own
(its follow-ups' commitments, its bios, its balance of languages and families, none of
the earlier sets' trap wording). The checks every set shares are in
tests/unit/test_eval_heldout_grounded_sets.py, and tests/unit/test_eval_heldout.py checks
that the generator reproduces the committed file and that each case is a valid job input."""

from __future__ import annotations

import random
from collections import Counter

from evals import grounding
from evals.heldout import grounded_i
from evals.heldout.generate import GROUNDED_I_SEED

CASES = grounded_i.grounded_i_cases(random.Random(GROUNDED_I_SEED))


def test_follow_ups__each_rest_on_a_commitment_the_sender_made():
    for case in CASES:
        if case["kind"] == "follow_up_draft":
            turns = {t["id"]: t for t in case["input"]["conversation"]}
            cited = turns[case["must_cite"][0]]
            assert grounded_i.PROMISE[case["lang"]] in cited["text"], case["id"]
            assert cited["speaker"] == case["input"]["sender"], case["id"]
            assert case["must_commit"][0] in cited["text"], case["id"]
            times = [t["at"] for t in case["input"]["conversation"]]
            assert times == sorted(times), case["id"]


def test_bios__ban_only_invented_figures():
    for case in CASES:
        if case["kind"] == "bio":
            assert set(case["banned"].values()) == {"invented"}, case["id"]


def test_set__has_its_balance_of_kinds_languages_and_families():
    assert all(20 <= n <= 24 for k, n in grounded_i.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    # About a quarter in French, German or Spanish; each of them in every kind whose
    # input can carry a language (a bio's profile names none) and in every family.
    assert 0.2 < (len(CASES) - langs["en"]) / len(CASES) < 0.33
    for kind in grounded_i.COUNTS:
        if kind != "bio":
            assert {c["lang"] for c in CASES if c["kind"] == kind} == set(grounded_i.LANGS)
    for pattern in grounded_i.PATTERNS:
        if pattern != "inflated":
            found = {c["lang"] for c in CASES if c["pattern"] == pattern}
            assert found == set(grounded_i.LANGS), pattern
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= len(CASES) and origins["distractor"] >= 120
    patterns = Counter(c["pattern"] for c in CASES)
    # A realistic mix: about 40 % plain, 30 % an old family in new forms, 30 % a new one.
    old = sum(patterns[p] for p in grounded_i.OLD_FAMILIES)
    new = sum(patterns[p] for p in grounded_i.NEW_FAMILIES)
    assert 0.35 < patterns["plain"] / len(CASES) < 0.45
    assert 0.26 < old / len(CASES) < 0.34 and 0.26 < new / len(CASES) < 0.34


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
        "wrong row",
        "valid 1 january",
    )
    for case in CASES:
        text = grounding.plain_text(case["input"]).casefold()
        assert not [w for w in worn if w in text], case["id"]
