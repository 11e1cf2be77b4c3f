"""The fourth, blind held-out grounded set (evals/heldout/grounded_d.py): its labels are
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
from evals.heldout import grounded_d
from evals.heldout.generate import GROUNDED_D_SEED
from tasks.kinds import KINDS

# Reproduced byte for byte and valid job inputs: tests/unit/test_eval_heldout.py checks
# both over every built file.
CASES = grounded_d.grounded_d_cases(random.Random(GROUNDED_D_SEED))
TRAPS = {
    "exception",
    "range",
    "percent",
    "timezone",
    "attachment",
    "customer_claim",
    "in_progress",
    "missing",
}
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
    again = grounded_d.grounded_d_cases(random.Random(GROUNDED_D_SEED))
    other = grounded_d.grounded_d_cases(random.Random(GROUNDED_D_SEED + 1))
    assert again == CASES and other != CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case__has_true_labels(case):
    assert grounded_d.mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])
    assert case["expect_outcome"] in OUTCOMES[case["kind"]]
    if "distractor" in set(case["banned"].values()):
        assert case["distractor"] in (grounding.material(case["kind"], case["input"]) or {})


def test_expected_outcomes__are_outcomes_the_kinds_output_models_allow():
    """An expected outcome no output model can give would fail every run of its case."""
    for kind, outcomes in OUTCOMES.items():
        output = KINDS[kind].output_model
        allowed = set(output.model_fields["outcome"].annotation.__args__)
        assert outcomes <= allowed, kind


def _first(pattern: str, kind: str) -> dict:
    return json.loads(
        json.dumps(next(c for c in CASES if c["pattern"] == pattern and c["kind"] == kind))
    )


def test_labels__are_checked_against_the_input():
    case = _first("customer_claim", "support_answer")
    needed = case["must_contain"][0]
    case["banned"][needed] = "invented"
    case["must_not_contain"].append(needed)
    case["must_cite"] = [case["distractor"]]
    assert grounded_d.mislabelled(case) == [
        f"needed {needed!r} is in no right source",
        f"distractor source {case['distractor']!r} is a right source",
        f"banned {needed!r} is inside a needed fact",
        f"banned {needed!r} is not invented",
    ]


def test_labels__an_invented_fact_the_input_states_is_mislabelled():
    case = _first("range", "email_reply")
    invented = next(iter(case["banned"]))
    case["input"]["thread"][-1]["body"] += f" A friend told me {invented}."
    assert grounded_d.mislabelled(case) == [f"banned {invented!r} is not invented"]


def test_labels__a_wrong_figure_inside_a_right_source_is_checked_by_its_passage():
    """An exception's general figure is a distractor only inside its sentence: stated
    again outside it (in the exception itself), the label is false."""
    case = _first("exception", "support_answer")
    general = next(f for f, o in case["banned"].items() if o == "distractor")
    source = next(s for s in case["input"]["sources"] if s["id"] == case["distractor"])
    source["text"] += f" Both rates: {general}."
    assert grounded_d.mislabelled(case) == [f"banned {general!r} is not only in the distractor"]


def test_set__scores_enough_cases_and_covers_kinds_languages_domains_and_traps():
    scored = [c for c in CASES if c.get("expect_outcome") != "escalated"]
    assert {c["kind"] for c in scored} == set(grounded_d.COUNTS) == set(grounding.GROUNDS)
    # 0 hallucinations in n >= 190 bounds the rate's 95 % interval below 2 %.
    assert len(scored) >= 250 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len(CASES) == sum(grounded_d.COUNTS.values())
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert Counter(c["kind"] for c in CASES) == grounded_d.COUNTS
    assert grounded_d.COUNTS["email_reply"] == grounded_d.COUNTS["support_answer"] == 80
    assert all(20 <= n <= 25 for k, n in grounded_d.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    assert set(langs) == set(grounded_d.LANGS) and langs["en"] > len(CASES) / 2
    assert all(langs[lang] >= 15 for lang in ("fr", "de", "es"))
    assert {c["domain"] for c in CASES} == {d.name for d in grounded_d.DOMAINS}
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= 250 and origins["distractor"] >= 50
    patterns = Counter(c["pattern"] for c in CASES)
    assert set(patterns) == TRAPS | {"plain"}
    # Real traffic is mostly plain: about a third of the set has no trap.
    assert 0.25 < patterns["plain"] / len(CASES) < 0.4
    plans = {(k, p) for k, ps in grounded_d.PLANS.items() for p in ps}
    assert {(c["kind"], c["pattern"]) for c in CASES} == plans
    escalated = [c for c in CASES if c.get("expect_outcome") == "escalated"]
    assert escalated and all(c["pattern"] == "missing" and not c["must_contain"] for c in escalated)


def test_set__is_blind_to_the_earlier_grounded_sets():
    """No case repeats an input of the three earlier grounded sets."""
    earlier = {
        json.dumps(c.input, sort_keys=True)
        for c in load_cases(
            dataset_paths(["heldout/grounded", "heldout/grounded_b", "heldout/grounded_c"])
        )
    }
    assert not earlier & {json.dumps(c["input"], sort_keys=True) for c in CASES}


def test_grounded_d__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/grounded_d"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
