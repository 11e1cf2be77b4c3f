"""The third, blind held-out grounded set (evals/heldout/grounded_c.py): its labels are
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
from evals.heldout import grounded_c
from evals.heldout.generate import GROUNDED_C_SEED

# Reproduced byte for byte and valid job inputs: tests/unit/test_eval_heldout.py checks
# both over every built file.
CASES = grounded_c.grounded_c_cases(random.Random(GROUNDED_C_SEED))
TRAPS = {
    "footer",
    "superseded",
    "tier_table",
    "negation",
    "agent_wrong",
    "date_locale",
    "units",
    "sister",
    "other_product",
    "missing",
}


def test_generator__is_deterministic_and_its_seed_matters():
    again = grounded_c.grounded_c_cases(random.Random(GROUNDED_C_SEED))
    other = grounded_c.grounded_c_cases(random.Random(GROUNDED_C_SEED + 1))
    assert again == CASES and other != CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case__has_true_labels(case):
    assert grounded_c.mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])
    if "distractor" in set(case["banned"].values()):
        assert case["distractor"] in (grounding.material(case["kind"], case["input"]) or {})


def _first(pattern: str, kind: str) -> dict:
    return json.loads(
        json.dumps(next(c for c in CASES if c["pattern"] == pattern and c["kind"] == kind))
    )


def test_labels__are_checked_against_the_input():
    case = _first("superseded", "support_answer")
    needed = case["must_contain"][0]
    old = next(f for f, o in case["banned"].items() if o == "distractor")
    case["banned"][needed] = "invented"
    case["must_not_contain"].append(needed)
    case["must_cite"] = [case["distractor"]]
    assert grounded_c.mislabelled(case) == [
        f"needed {needed!r} is in no right source",
        f"distractor source {case['distractor']!r} is not a wrong source",
        f"banned {old!r} is in a right source",
        f"banned {needed!r} is inside a needed fact",
        f"banned {needed!r} is not invented",
    ]


def test_labels__a_wrong_figure_inside_a_right_source_is_checked_by_its_passage():
    """A footer's figure is a distractor only inside the footer: moved into the body
    (outside the passage), the label is false."""
    case = _first("footer", "document_extraction")
    old = next(f for f, o in case["banned"].items() if o == "distractor")
    case["input"]["text"] = case["input"]["text"].replace(
        case["must_contain"][0], f"{case['must_contain'][0]} ({old})", 1
    )
    assert grounded_c.mislabelled(case) == [
        f"banned {old!r} is in a right source",
        f"banned {old!r} is not only in the distractor",
    ]


def test_set__scores_enough_cases_and_covers_kinds_languages_domains_and_traps():
    scored = [c for c in CASES if c.get("expect_outcome") != "escalated"]
    assert {c["kind"] for c in scored} == set(grounded_c.COUNTS) == set(grounding.GROUNDS)
    # 0 hallucinations in n >= 190 bounds the rate's 95 % interval below 2 %.
    assert len(scored) >= 250 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len(CASES) == sum(grounded_c.COUNTS.values())
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert Counter(c["kind"] for c in CASES) == grounded_c.COUNTS
    langs = Counter(c["lang"] for c in CASES)
    assert set(langs) == set(grounded_c.LANGS) and langs["en"] > len(CASES) / 2
    assert all(langs[lang] >= 15 for lang in ("fr", "de", "es"))
    assert {c["domain"] for c in CASES} == {d.name for d in grounded_c.DOMAINS}
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= 300 and origins["distractor"] >= 150
    patterns = Counter(c["pattern"] for c in CASES)
    assert TRAPS <= set(patterns)
    # Real traffic is mostly plain: about a third of the set has no trap.
    assert 0.25 < patterns["plain"] / len(CASES) < 0.4
    plans = {(k, p) for k, ps in grounded_c.PLANS.items() for p in ps}
    assert {(c["kind"], c["pattern"]) for c in CASES} == plans
    escalated = [c for c in CASES if c.get("expect_outcome") == "escalated"]
    assert escalated and all(c["pattern"] == "missing" and not c["must_contain"] for c in escalated)


def test_set__is_blind_to_the_earlier_grounded_sets():
    """No case repeats an input of the first two grounded sets."""
    earlier = {
        json.dumps(c.input, sort_keys=True)
        for c in load_cases(dataset_paths(["heldout/grounded", "heldout/grounded_b"]))
    }
    assert not earlier & {json.dumps(c["input"], sort_keys=True) for c in CASES}


def test_grounded_c__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/grounded_c"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
