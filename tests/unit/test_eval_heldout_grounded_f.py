"""The sixth, blind held-out grounded set (evals/heldout/grounded_f.py): its labels are
true of its input, and it covers the kinds, domains, languages and traps it claims
(tests/unit/test_eval_heldout.py checks, with every held-out file, that the generator
reproduces the committed file and that each case is a valid job input)."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from evals import grounding, metrics
from evals.datasets import dataset_paths, load_cases
from evals.heldout import grounded_f
from evals.heldout.generate import GROUNDED_F_SEED
from tasks.kinds import KINDS

CASES = grounded_f.grounded_f_cases(random.Random(GROUNDED_F_SEED))
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
    again = grounded_f.grounded_f_cases(random.Random(GROUNDED_F_SEED))
    other = grounded_f.grounded_f_cases(random.Random(GROUNDED_F_SEED + 1))
    assert again == CASES and other != CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case__has_true_labels(case):
    assert grounded_f.mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])
    assert "invented" in case["banned"].values()
    assert case["expect_outcome"] in OUTCOMES[case["kind"]]
    material = grounding.material(case["kind"], case["input"]) or {}
    if "distractor" in set(case["banned"].values()):
        assert case["distractor"] in material
    if "distractor_passage" in case:
        assert case["distractor_passage"] in material[case["distractor"]]


def test_expected_outcomes__are_outcomes_the_kinds_output_models_allow():
    """An expected outcome no output model can give would fail every run of its case."""
    for kind, outcomes in OUTCOMES.items():
        output = KINDS[kind].output_model
        allowed = set(output.model_fields["outcome"].annotation.__args__)
        assert outcomes <= allowed, kind


def test_follow_ups__each_rest_on_a_commitment_someone_made():
    """The kind drafts a follow-up of what was promised: the cited turn promises it."""
    for case in CASES:
        if case["kind"] == "follow_up_draft":
            turns = {t["id"]: t for t in case["input"]["conversation"]}
            cited = turns[case["must_cite"][0]]
            assert grounded_f.PROMISE[case["lang"]] in cited["text"], case["id"]
            assert cited["speaker"] == case["input"]["sender"], case["id"]


def test_metadata_fields__are_each_stated_by_the_source_they_must_cite():
    for case in CASES:
        if case["kind"] == "metadata_enrichment":
            (field, source), *_ = case["must_cite"].items()
            assert case["input"]["fields"] == [field]
            material = grounding.material(case["kind"], case["input"]) or {}
            assert case["must_contain"][0] in material[source]


def _first(pattern: str, kind: str) -> dict:
    return json.loads(
        json.dumps(next(c for c in CASES if c["pattern"] == pattern and c["kind"] == kind))
    )


def test_labels__are_checked_against_the_input():
    case = _first("sibling", "support_answer")
    needed = case["must_contain"][0]
    case["banned"][needed] = "invented"
    case["must_not_contain"].append(needed)
    case["must_cite"] = [case["distractor"]]
    assert grounded_f.mislabelled(case) == [
        f"needed {needed!r} is in no right source",
        f"distractor source {case['distractor']!r} is a right source",
        f"banned {needed!r} is inside a needed fact",
        f"banned {needed!r} is not invented",
    ]


def test_labels__an_invented_fact_the_input_states_is_mislabelled():
    case = _first("plain", "email_reply")
    invented = next(iter(case["banned"]))
    case["input"]["thread"][-1]["body"] += f" A friend told me {invented}."
    assert grounded_f.mislabelled(case) == [f"banned {invented!r} is not invented"]


def test_labels__a_distractor_figure_stated_outside_its_passage_is_mislabelled():
    case = _first("vat", "support_answer")
    wrong = next(f for f, o in case["banned"].items() if o == "distractor")
    right = next(s for s in case["input"]["sources"] if s["id"] == case["must_cite"][0])
    right["text"] += f" In short: {wrong}."
    assert grounded_f.mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


def test_labels__a_distractor_figure_in_a_right_source_too_is_mislabelled():
    case = _first("authority", "email_reply")
    wrong = next(f for f, o in case["banned"].items() if o == "distractor")
    right = int(case["must_cite"][0][1:])
    case["input"]["thread"][right]["body"] += f" (Earlier estimate: {wrong}.)"
    assert grounded_f.mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


def test_set__scores_enough_cases_and_covers_kinds_languages_domains_and_traps():
    scored = [c for c in CASES if c.get("expect_outcome") != "escalated"]
    assert {c["kind"] for c in scored} == set(grounded_f.COUNTS) == set(grounding.GROUNDS)
    assert len(scored) >= 250 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert Counter(c["kind"] for c in CASES) == grounded_f.COUNTS
    assert grounded_f.COUNTS["email_reply"] == grounded_f.COUNTS["support_answer"] == 80
    assert all(20 <= n <= 24 for k, n in grounded_f.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    assert set(langs) == set(grounded_f.LANGS)
    # About a quarter in French, German or Spanish, each of them in every family.
    assert 0.2 < (len(CASES) - langs["en"]) / len(CASES) < 0.33
    for pattern in grounded_f.PATTERNS:
        assert {c["lang"] for c in CASES if c["pattern"] == pattern} == set(grounded_f.LANGS)
    assert {c["domain"] for c in CASES} == {d.name for d in grounded_f.DOMAINS}
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= len(CASES) and origins["distractor"] >= 150
    patterns = Counter(c["pattern"] for c in CASES)
    assert set(patterns) == set(grounded_f.PATTERNS)
    # Real traffic is mostly plain: about a third has no trap, a third an old family in
    # new words, a third a new family.
    old = sum(patterns[p] for p in grounded_f.OLD_FAMILIES)
    new = sum(patterns[p] for p in grounded_f.NEW_FAMILIES)
    for share in (patterns["plain"], old, new):
        assert 0.28 < share / len(CASES) < 0.4
    plans = {(k, p) for k, ps in grounded_f.PLANS.items() for p in ps}
    plans |= {(k, "plain") for k in grounded_f.COUNTS}
    assert {(c["kind"], c["pattern"]) for c in CASES} == plans
    escalated = [c for c in CASES if c.get("expect_outcome") == "escalated"]
    assert escalated and all(c["pattern"] == "missing" and not c["must_contain"] for c in escalated)
    assert all(c["expect_review"] for c in escalated)
    # A reply whose thread lacks the answer is drafted and scored on what it must not state.
    replies = [c for c in CASES if c["pattern"] == "missing" and c["kind"] == "email_reply"]
    assert replies and all(not c["must_contain"] and "must_cite" not in c for c in replies)


def test_set__uses_none_of_the_earlier_sets_trap_wording():
    """Old families come in new forms: none of the earlier sets' tell-tale words."""
    worn = ("superseded", "no longer", "updated", "automatic summary", "archived")
    for case in CASES:
        text = grounding.plain_text(case["input"]).casefold()
        assert not [w for w in worn if w in text], case["id"]


def test_set__is_blind_to_the_earlier_grounded_sets():
    """No case repeats an input of the five earlier grounded sets."""
    earlier = {
        json.dumps(c.input, sort_keys=True)
        for c in load_cases(
            dataset_paths(
                [
                    "heldout/grounded",
                    "heldout/grounded_b",
                    "heldout/grounded_c",
                    "heldout/grounded_d",
                    "heldout/grounded_e",
                ]
            )
        )
    }
    assert not earlier & {json.dumps(c["input"], sort_keys=True) for c in CASES}


def test_grounded_f__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/grounded_f"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
