"""Held-out grounded set J (evals/heldout/grounded_j.py): what is particular to it. The
checks every blind set shares (determinism, true labels, coverage, blindness, outcomes)
are in tests/unit/test_eval_heldout_grounded_sets.py."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from evals.heldout import grounded_j
from evals.heldout.generate import GROUNDED_J_SEED

CASES = grounded_j.grounded_j_cases(random.Random(GROUNDED_J_SEED))


def _first(pattern: str, kind: str) -> dict:
    case = next(c for c in CASES if c["kind"] == kind and c["pattern"] == pattern)
    return json.loads(json.dumps(case))


def test_set__mixes_plain_old_and_new_families_about_four_three_three():
    patterns = Counter(c["pattern"] for c in CASES)
    share = {
        "plain": patterns["plain"] / len(CASES),
        "old": sum(patterns[p] for p in grounded_j.OLD) / len(CASES),
        "new": sum(patterns[p] for p in grounded_j.NEW) / len(CASES),
    }
    assert 0.35 <= share["plain"] <= 0.45, share
    assert 0.25 <= share["old"] <= 0.35 and 0.25 <= share["new"] <= 0.35, share


def test_set__is_about_a_quarter_french_german_or_spanish_in_every_kind_and_family():
    langs = Counter(c["lang"] for c in CASES)
    assert 0.2 <= 1 - langs["en"] / len(CASES) <= 0.35
    for key in ("kind", "pattern"):
        for value in {c[key] for c in CASES}:
            assert {c["lang"] for c in CASES if c[key] == value} == set(grounded_j.LANGS), value


def test_figures__are_written_the_languages_way():
    for case in CASES:
        if case["kind"] == "bio" or not case["must_contain"]:
            continue
        figure = case["must_contain"][0]
        if case["lang"] == "en":
            assert "." in figure and "," not in figure[-3:], case["id"]
        else:
            assert figure[-3] == "," and "." not in figure[-3:], case["id"]


def test_trap_wording__avoids_the_earlier_sets_phrases():
    text = "\n".join(json.dumps(c["input"], ensure_ascii=False) for c in CASES).casefold()
    for phrase in ("superseded", "no longer", "updated", "automatic summary", "correction:"):
        assert phrase not in text, phrase


def test_missing_sources__escalate_support_and_leave_replies_scored_on_what_they_must_not_state():
    missing = [c for c in CASES if c["pattern"] == "missing"]
    assert {c["kind"] for c in missing} == {"support_answer", "email_reply"}
    for case in missing:
        assert not case["must_contain"] and "must_cite" not in case
        if case["kind"] == "support_answer":
            assert case["expect_outcome"] == "escalated" and case["expect_review"]


def test_bios__ban_the_two_years_added_up():
    for case in (c for c in CASES if c["pattern"] == "two_years"):
        achievements = case["input"]["profile"]["achievements"]
        numbers = [int(w) for a in achievements for w in a.split() if w.isdigit() and len(w) == 3]
        invented = next(f for f, label in case["banned"].items() if label == "invented")
        assert int(invented) == sum(numbers), case["id"]


@pytest.mark.parametrize(
    ("pattern", "kind", "place"),
    [
        ("forum_post", "support_answer", "sources"),
        ("sample_invoice", "metadata_enrichment", "references"),
    ],
)
def test_labels__a_distractor_figure_in_the_right_source_too_is_mislabelled(pattern, kind, place):
    case = _first(pattern, kind)
    wrong = next(f for f, label in case["banned"].items() if label == "distractor")
    right = next(s for s in case["input"][place] if s["id"] == case["must_cite"][0])
    right["text"] += f"\nSee also {wrong}."
    assert grounded_j.mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


def test_labels__a_passage_that_is_not_in_its_source_is_mislabelled():
    case = _first("testimonial", "support_answer")
    case["distractor_passage"] = "a line nobody wrote"
    wrong = next(f for f, label in case["banned"].items() if label == "distractor")
    assert grounded_j.mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


def test_labels__a_wrong_extraction_is_mislabelled():
    case = _first("amended", "document_extraction")
    case["must_extract"]["total"] = "£1.00"
    assert grounded_j.mislabelled(case) == ["extracted '£1.00' is not in the document"]
