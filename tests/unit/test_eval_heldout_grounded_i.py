"""The ninth, blind held-out grounded set (evals/heldout/grounded_i.py): its labels are
true of its input, a careful answer quoting the line it relies on is never counted wrong,
and it covers the kinds, domains, languages and traps it claims
(tests/unit/test_eval_heldout.py checks, with every held-out file, that the generator
reproduces the committed file and that each case is a valid job input)."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from evals import grounding, metrics
from evals.datasets import dataset_paths, load_cases
from evals.heldout import grounded_i
from evals.heldout.generate import GROUNDED_I_SEED
from tasks.kinds import KINDS

CASES = grounded_i.grounded_i_cases(random.Random(GROUNDED_I_SEED))
OUTCOMES = {
    "email_reply": {"drafted"},
    "support_answer": {"answered", "escalated"},
    "account_summary": {"summarized"},
    "follow_up_draft": {"drafted"},
    "product_description": {"written"},
    "metadata_enrichment": {"enriched"},
    "document_extraction": {"extracted"},
    "bio": {"written"},
}


def test_generator__is_deterministic_and_its_seed_matters():
    again = grounded_i.grounded_i_cases(random.Random(GROUNDED_I_SEED))
    other = grounded_i.grounded_i_cases(random.Random(GROUNDED_I_SEED + 1))
    assert again == CASES and other != CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case__has_true_labels(case):
    assert grounded_i.mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])
    assert "invented" in case["banned"].values()
    assert case["expect_outcome"] in OUTCOMES[case["kind"]]
    material = grounding.material(case["kind"], case["input"]) or {}
    if "distractor" in set(case["banned"].values()):
        assert case["distractor"] in material
    if "distractor_passage" in case:
        assert case["distractor_passage"] in material[case["distractor"]]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_line_stating_the_right_figure__states_no_banned_one(case):
    """An answer may quote the whole line it relies on: a banned figure never shares it."""
    text = grounding.plain_text(case["input"])
    for needed in case["must_contain"]:
        for line in text.splitlines():
            if needed in line:
                assert not [b for b in case["banned"] if b in line], (case["id"], line)


def test_expected_outcomes__are_outcomes_the_kinds_output_models_allow():
    for kind, outcomes in OUTCOMES.items():
        output = KINDS[kind].output_model
        allowed = set(output.model_fields["outcome"].annotation.__args__)
        assert outcomes <= allowed, kind


def test_every_case__is_a_valid_input_of_its_kind():
    for case in CASES:
        KINDS[case["kind"]].input_model.model_validate(case["input"])


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


def test_metadata_fields__are_each_stated_by_the_source_they_must_cite():
    for case in CASES:
        if case["kind"] == "metadata_enrichment":
            (field, source), *_ = case["must_cite"].items()
            assert case["input"]["fields"] == [field]
            material = grounding.material(case["kind"], case["input"]) or {}
            assert case["must_fill"][field] in material[source]


def test_extractions__name_values_the_document_writes():
    for case in CASES:
        if case["kind"] == "document_extraction":
            assert set(case["must_extract"]) == set(case["input"]["fields"])
            for value in case["must_extract"].values():
                assert value in case["input"]["text"], case["id"]


def test_bios__ban_only_invented_figures():
    for case in CASES:
        if case["kind"] == "bio":
            assert set(case["banned"].values()) == {"invented"}, case["id"]


def _first(pattern: str, kind: str) -> dict:
    return json.loads(
        json.dumps(next(c for c in CASES if c["pattern"] == pattern and c["kind"] == kind))
    )


def test_labels__are_checked_against_the_input():
    case = _first("leaflet", "support_answer")
    needed = case["must_contain"][0]
    case["banned"][needed] = "invented"
    case["must_not_contain"].append(needed)
    case["must_cite"] = [case["distractor"]]
    assert grounded_i.mislabelled(case) == [
        f"needed {needed!r} is in no right source",
        f"distractor source {case['distractor']!r} is a right source",
        f"banned {needed!r} is inside a needed fact",
        f"banned {needed!r} is not invented",
    ]


def test_labels__an_invented_fact_the_input_states_is_mislabelled():
    case = _first("plain", "email_reply")
    invented = next(iter(case["banned"]))
    case["input"]["thread"][-1]["body"] += f" A friend paid {invented}."
    assert grounded_i.mislabelled(case) == [f"banned {invented!r} is not invented"]


def test_labels__a_distractor_figure_outside_its_passage_is_mislabelled():
    case = _first("season", "support_answer")
    wrong = next(f for f, o in case["banned"].items() if o == "distractor")
    right = next(s for s in case["input"]["sources"] if s["id"] == case["must_cite"][0])
    right["text"] += f"\nIn short: {wrong}."
    assert grounded_i.mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


def test_labels__a_distractor_figure_in_a_right_source_too_is_mislabelled():
    case = _first("cost_price", "email_reply")
    wrong = next(f for f, o in case["banned"].items() if o == "distractor")
    right = int(case["must_cite"][0][1:])
    case["input"]["thread"][right]["body"] += f" (Someone mentioned {wrong}.)"
    assert grounded_i.mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


def test_labels__an_extracted_value_the_document_lacks_is_mislabelled():
    case = _first("plain", "document_extraction")
    case["must_extract"]["amount_payable"] = "£1.00"
    assert grounded_i.mislabelled(case) == ["extracted '£1.00' is not in the document"]


def test_set__scores_enough_cases_and_covers_kinds_languages_domains_and_traps():
    scored = [c for c in CASES if c.get("expect_outcome") != "escalated"]
    assert {c["kind"] for c in scored} == set(grounded_i.COUNTS) == set(grounding.GROUNDS)
    assert len(scored) >= 250 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert Counter(c["kind"] for c in CASES) == grounded_i.COUNTS
    assert grounded_i.COUNTS["email_reply"] == grounded_i.COUNTS["support_answer"] == 80
    assert all(20 <= n <= 24 for k, n in grounded_i.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    assert set(langs) == set(grounded_i.LANGS)
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
    assert {c["domain"] for c in CASES} == {d.name for d in grounded_i.DOMAINS}
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= len(CASES) and origins["distractor"] >= 120
    patterns = Counter(c["pattern"] for c in CASES)
    assert set(patterns) == set(grounded_i.PATTERNS)
    # A realistic mix: about 40 % plain, 30 % an old family in new forms, 30 % a new one.
    old = sum(patterns[p] for p in grounded_i.OLD_FAMILIES)
    new = sum(patterns[p] for p in grounded_i.NEW_FAMILIES)
    assert 0.35 < patterns["plain"] / len(CASES) < 0.45
    assert 0.26 < old / len(CASES) < 0.34 and 0.26 < new / len(CASES) < 0.34
    plans = {(k, p) for k, ps in grounded_i.PLANS.items() for p in ps}
    assert {(c["kind"], c["pattern"]) for c in CASES} == plans
    escalated = [c for c in CASES if c.get("expect_outcome") == "escalated"]
    assert escalated and all(c["pattern"] == "missing" and not c["must_contain"] for c in escalated)
    assert all(c["expect_review"] for c in escalated)
    # A reply whose thread lacks the answer is drafted and scored on what it must not state.
    replies = [c for c in CASES if c["pattern"] == "missing" and c["kind"] == "email_reply"]
    assert replies and all(not c["must_contain"] and "must_cite" not in c for c in replies)


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


def test_set__is_blind_to_the_earlier_grounded_sets():
    """No case repeats an input of the eight earlier grounded sets (compared as data,
    never read)."""
    names = ["heldout/grounded", *(f"heldout/grounded_{s}" for s in "bcdefgh")]
    earlier = {json.dumps(c.input, sort_keys=True) for c in load_cases(dataset_paths(names))}
    assert not earlier & {json.dumps(c["input"], sort_keys=True) for c in CASES}


def test_grounded_i__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/grounded_i"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
