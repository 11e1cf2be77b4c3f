"""The checks the blind held-out grounded sets D to J share (evals/heldout/grounded_*.py):
each generator is deterministic, every case's labels are true of its input, mislabels
planted in a case are caught, and each set covers every kind, domain, language and plan
it declares, is blind to the earlier sets and stays out of the default datasets.
What is particular to one set (its balance, its trap wording, its own families) stays
in that set's module (tests/unit/test_eval_heldout_grounded_<x>.py)."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import pytest

from evals import grounding, metrics
from evals.datasets import dataset_paths, load_cases
from evals.heldout import (
    grounded_d,
    grounded_e,
    grounded_f,
    grounded_g,
    grounded_h,
    grounded_i,
    grounded_j,
)
from evals.heldout.generate import (
    GROUNDED_D_SEED,
    GROUNDED_E_SEED,
    GROUNDED_F_SEED,
    GROUNDED_G_SEED,
    GROUNDED_H_SEED,
    GROUNDED_I_SEED,
    GROUNDED_J_SEED,
)
from tasks.kinds import KINDS

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
# The grounded sets in the order they were written; each must be blind to those before it.
ORDER = "abcdefghij"


@dataclass(frozen=True)
class HeldSet:
    letter: str
    module: ModuleType
    seed: int
    builder: str  # the module's function that builds the cases from a Random

    def cases(self, seed: int | None = None) -> list[dict]:
        build: Callable[[random.Random], list[dict]] = getattr(self.module, self.builder)
        return build(random.Random(self.seed if seed is None else seed))

    def mislabelled(self, case: dict) -> list[str]:
        return self.module.mislabelled(case)


SETS = {
    s.letter: s
    for s in (
        HeldSet("d", grounded_d, GROUNDED_D_SEED, "grounded_d_cases"),
        HeldSet("e", grounded_e, GROUNDED_E_SEED, "grounded_e_cases"),
        HeldSet("f", grounded_f, GROUNDED_F_SEED, "grounded_f_cases"),
        HeldSet("g", grounded_g, GROUNDED_G_SEED, "grounded_g_cases"),
        HeldSet("h", grounded_h, GROUNDED_H_SEED, "grounded_h_cases"),
        HeldSet("i", grounded_i, GROUNDED_I_SEED, "grounded_i_cases"),
        HeldSet("j", grounded_j, GROUNDED_J_SEED, "grounded_j_cases"),
    )
}
CASES = {letter: s.cases() for letter, s in SETS.items()}


def _each_case(letters: str) -> list:
    """One parameter per case of the named sets (case ids carry their set's prefix)."""
    return [pytest.param(x, c, id=c["id"]) for x in letters for c in CASES[x]]


def _of_kind(letter: str, kind: str) -> list[dict]:
    return [c for c in CASES[letter] if c["kind"] == kind]


def _first(letter: str, pattern: str, kind: str) -> dict:
    """A deep copy of the set's first case of this pattern and kind, to plant a mislabel in."""
    case = next(c for c in _of_kind(letter, kind) if c["pattern"] == pattern)
    return json.loads(json.dumps(case))


@pytest.mark.parametrize("letter", "defghij")
def test_generator__is_deterministic_and_its_seed_matters(letter):
    held = SETS[letter]
    assert held.cases() == CASES[letter] and held.cases(held.seed + 1) != CASES[letter]


@pytest.mark.parametrize(("letter", "case"), _each_case("defghij"))
def test_every_case__has_true_labels(letter, case):
    assert SETS[letter].mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])
    assert "invented" in case["banned"].values()
    assert case["expect_outcome"] in OUTCOMES[case["kind"]]
    material = grounding.material(case["kind"], case["input"]) or {}
    if "distractor" in set(case["banned"].values()):
        assert case["distractor"] in material
    if "distractor_passage" in case:
        assert case["distractor_passage"] in material[case["distractor"]]


@pytest.mark.parametrize(("letter", "case"), _each_case("ghij"))
def test_a_line_stating_the_right_figure__states_no_banned_one(letter, case):
    """An answer may quote the whole line it relies on: a banned figure never shares it."""
    text = grounding.plain_text(case["input"])
    for needed in case["must_contain"]:
        for line in text.splitlines():
            if needed in line:
                assert not [b for b in case["banned"] if b in line], (case["id"], line)


def test_expected_outcomes__are_outcomes_the_kinds_output_models_allow():
    """An expected outcome no output model can give would fail every run of its case."""
    for kind, outcomes in OUTCOMES.items():
        output = KINDS[kind].output_model
        allowed = set(output.model_fields["outcome"].annotation.__args__)
        assert outcomes <= allowed, kind


@pytest.mark.parametrize("letter", "efghj")
def test_follow_ups__each_rest_on_a_commitment_the_sender_made(letter):
    """The kind drafts a follow-up of what was promised: the cited turn, in a conversation
    told in order, is the sender's promise and states what must be followed up."""
    for case in _of_kind(letter, "follow_up_draft"):
        turns = {t["id"]: t for t in case["input"]["conversation"]}
        cited = turns[case["must_cite"][0]]
        assert SETS[letter].module.PROMISE[case["lang"]] in cited["text"], case["id"]
        assert cited["speaker"] == case["input"]["sender"], case["id"]
        assert case["must_contain"][0] in cited["text"], case["id"]
        times = [t["at"] for t in case["input"]["conversation"]]
        assert times == sorted(times), case["id"]


@pytest.mark.parametrize("letter", "fghi")
def test_metadata_fields__are_each_stated_by_the_source_they_must_cite(letter):
    for case in _of_kind(letter, "metadata_enrichment"):
        (field, source), *_ = case["must_cite"].items()
        assert case["input"]["fields"] == [field]
        material = grounding.material(case["kind"], case["input"]) or {}
        # F labels the field's value only as a fact the output must contain.
        stated = case["must_fill"][field] if "must_fill" in case else case["must_contain"][0]
        assert stated in material[source], case["id"]


@pytest.mark.parametrize("letter", "ghij")
def test_extractions__name_values_the_document_writes(letter):
    for case in _of_kind(letter, "document_extraction"):
        assert set(case["must_extract"]) == set(case["input"]["fields"])
        for value in case["must_extract"].values():
            assert value in case["input"]["text"], case["id"]


@pytest.mark.parametrize(
    ("letter", "pattern"),
    [
        ("d", "customer_claim"),
        ("e", "title_dated"),
        ("f", "sibling"),
        ("g", "sibling"),
        ("h", "sibling"),
        ("i", "leaflet"),
        ("j", "sibling"),
    ],
)
def test_labels__are_checked_against_the_input(letter, pattern):
    case = _first(letter, pattern, "support_answer")
    needed = case["must_contain"][0]
    case["banned"][needed] = "invented"
    case["must_not_contain"].append(needed)
    case["must_cite"] = [case["distractor"]]
    assert SETS[letter].mislabelled(case) == [
        f"needed {needed!r} is in no right source",
        f"distractor source {case['distractor']!r} is a right source",
        f"banned {needed!r} is inside a needed fact",
        f"banned {needed!r} is not invented",
    ]


@pytest.mark.parametrize(
    ("letter", "pattern", "words"),
    [
        ("d", "range", "A friend told me"),
        ("e", "plain", "A friend told me"),
        ("f", "plain", "A friend told me"),
        ("g", "plain", "A friend paid"),
        ("h", "plain", "A friend paid"),
        ("i", "plain", "A friend paid"),
        ("j", "plain", "A friend paid"),
    ],
)
def test_labels__an_invented_fact_the_input_states_is_mislabelled(letter, pattern, words):
    case = _first(letter, pattern, "email_reply")
    invented = next(iter(case["banned"]))
    case["input"]["thread"][-1]["body"] += f" {words} {invented}."
    assert SETS[letter].mislabelled(case) == [f"banned {invented!r} is not invented"]


@pytest.mark.parametrize(
    ("letter", "pattern", "words"),
    [
        ("e", "rounded", " In short:"),
        ("f", "vat", " In short:"),
        ("g", "weekend", "\nIn short:"),
        ("h", "deposit", "\nIn short:"),
        ("i", "season", "\nIn short:"),
        ("j", "sibling", "\nIn short:"),
    ],
)
def test_labels__a_distractor_figure_in_a_right_source_too_is_mislabelled(letter, pattern, words):
    case = _first(letter, pattern, "support_answer")
    wrong = next(f for f, o in case["banned"].items() if o == "distractor")
    right = next(s for s in case["input"]["sources"] if s["id"] == case["must_cite"][0])
    right["text"] += f"{words} {wrong}."
    assert SETS[letter].mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


@pytest.mark.parametrize(
    ("letter", "pattern", "words"),
    [
        ("f", "authority", "Earlier estimate:"),
        ("g", "negotiation", "You asked for"),
        ("h", "internal_chat", "Someone mentioned"),
        ("i", "cost_price", "Someone mentioned"),
        ("j", "scratch_that", "Someone mentioned"),
    ],
)
def test_labels__a_distractor_figure_in_a_right_message_too_is_mislabelled(letter, pattern, words):
    case = _first(letter, pattern, "email_reply")
    wrong = next(f for f, o in case["banned"].items() if o == "distractor")
    right = int(case["must_cite"][0][1:])
    case["input"]["thread"][right]["body"] += f" ({words} {wrong}.)"
    assert SETS[letter].mislabelled(case) == [f"banned {wrong!r} is not only in the distractor"]


@pytest.mark.parametrize("letter", "ghij")
def test_labels__an_extracted_value_the_document_lacks_is_mislabelled(letter):
    case = _first(letter, "plain", "document_extraction")
    field = case["input"]["fields"][-1]
    case["must_extract"][field] = "£1.00"
    assert SETS[letter].mislabelled(case) == ["extracted '£1.00' is not in the document"]


@pytest.mark.parametrize("letter", "defghij")
def test_set__scores_enough_cases_and_covers_every_kind_language_domain_and_plan(letter):
    module, cases = SETS[letter].module, CASES[letter]
    scored = [c for c in cases if c.get("expect_outcome") != "escalated"]
    assert {c["kind"] for c in scored} == set(module.COUNTS) == set(grounding.GROUNDS)
    # 0 hallucinations in n >= 190 bounds the rate's 95 % interval below 2 %.
    assert len(scored) >= 250 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len({c["id"] for c in cases}) == len(cases)
    assert Counter(c["kind"] for c in cases) == module.COUNTS
    assert module.COUNTS["email_reply"] == module.COUNTS["support_answer"] == 80
    assert {c["lang"] for c in cases} == set(module.LANGS)
    assert {c["domain"] for c in cases} == {d.name for d in module.DOMAINS}
    # F's plans leave out the plain cases every kind has.
    plans = {(k, p) for k, ps in module.PLANS.items() for p in ps}
    plans |= {(k, "plain") for k in module.COUNTS}
    assert {(c["kind"], c["pattern"]) for c in cases} == plans
    escalated = [c for c in cases if c.get("expect_outcome") == "escalated"]
    assert escalated and all(c["pattern"] == "missing" and not c["must_contain"] for c in escalated)


@pytest.mark.parametrize("letter", "efghij")
def test_set__has_the_patterns_it_declares_and_sends_escalations_to_review(letter):
    cases = CASES[letter]
    assert {c["pattern"] for c in cases} == set(SETS[letter].module.PATTERNS)
    assert all(c["expect_review"] for c in cases if c.get("expect_outcome") == "escalated")


@pytest.mark.parametrize("letter", "fghj")
def test_set__has_every_language_in_every_trap_family(letter):
    langs = set(SETS[letter].module.LANGS)
    for pattern in SETS[letter].module.PATTERNS:
        assert {c["lang"] for c in CASES[letter] if c["pattern"] == pattern} == langs, pattern


@pytest.mark.parametrize("letter", "ghj")
def test_set__has_every_language_in_every_kind(letter):
    langs = set(SETS[letter].module.LANGS)
    for kind in SETS[letter].module.COUNTS:
        assert {c["lang"] for c in _of_kind(letter, kind)} == langs, kind


@pytest.mark.parametrize("letter", "fghij")
def test_replies_whose_thread_lacks_the_answer__are_scored_on_what_they_must_not_state(letter):
    replies = [c for c in _of_kind(letter, "email_reply") if c["pattern"] == "missing"]
    assert replies and all(not c["must_contain"] and "must_cite" not in c for c in replies)


@pytest.mark.parametrize("letter", "defghij")
def test_set__is_blind_to_the_earlier_grounded_sets(letter):
    """No case repeats an input of an earlier grounded set."""
    earlier = ORDER[1 : ORDER.index(letter)]
    names = ["heldout/grounded", *(f"heldout/grounded_{x}" for x in earlier)]
    seen = {json.dumps(c.input, sort_keys=True) for c in load_cases(dataset_paths(names))}
    assert not seen & {json.dumps(c["input"], sort_keys=True) for c in CASES[letter]}


@pytest.mark.parametrize("letter", "defghij")
def test_set__resolves_by_name_and_stays_out_of_the_default_datasets(letter):
    paths = dataset_paths([f"heldout/grounded_{letter}"])
    assert len(load_cases(paths)) == len(CASES[letter])
    assert not any("heldout" in p.parts for p in dataset_paths())
