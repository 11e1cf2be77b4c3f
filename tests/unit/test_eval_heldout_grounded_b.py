"""The second, blind held-out grounded set (evals/heldout/grounded_b.py): the generator
reproduces the committed file byte for byte, every case is a valid job input of its
kind, its labels are true of its input, and it covers the kinds, domains, languages
and traps it claims."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from app.jobs.schemas import JobRequest
from evals import grounding, metrics
from evals.datasets import dataset_paths, load_cases
from evals.heldout import grounded_b
from evals.heldout.generate import GROUNDED_B_SEED, OUT_DIR, build
from tasks.kinds import KINDS

CASES = [json.loads(line) for line in build()["grounded_b.jsonl"].splitlines()]


def test_generator__reproduces_the_committed_file_byte_for_byte():
    committed = (OUT_DIR / "grounded_b.jsonl").read_bytes()
    assert committed == build()["grounded_b.jsonl"].encode("utf-8")


def test_generator__is_deterministic_and_its_seed_matters():
    again = grounded_b.grounded_b_cases(random.Random(GROUNDED_B_SEED))
    other = grounded_b.grounded_b_cases(random.Random(GROUNDED_B_SEED + 1))
    assert again == CASES and other != CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case__is_a_valid_job_input_of_its_kind_with_true_labels(case):
    KINDS[case["kind"]].input_model.model_validate(case["input"])
    JobRequest.model_validate({"kind": case["kind"], "input": case["input"]})
    assert grounded_b.mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])
    if "distractor" in set(case["banned"].values()):
        assert case["distractor"] in (grounding.material(case["kind"], case["input"]) or {})


def test_labels__are_checked_against_the_input():
    case = json.loads(json.dumps(next(c for c in CASES if c["pattern"] == "quoted_chain")))
    needed, old = (
        case["must_contain"][0],
        next(f for f, o in case["banned"].items() if o == "distractor"),
    )
    case["banned"][needed] = "invented"
    case["must_not_contain"].append(needed)
    case["must_cite"] = ["m0"]
    assert grounded_b.mislabelled(case) == [
        f"needed {needed!r} is in no right source",
        f"needed {case['must_contain'][1]!r} is in no right source",
        f"banned {old!r} is in a right source",
        "distractor source 'm0' is not a wrong source",
        f"banned {needed!r} is inside a needed fact",
        f"banned {needed!r} is not invented",
    ]


def test_set__scores_enough_cases_and_covers_kinds_languages_domains_and_traps():
    scored = [c for c in CASES if c["expect_outcome"] != "escalated"]
    assert {c["kind"] for c in scored} == set(grounded_b.COUNTS) == set(grounding.GROUNDS)
    # 0 hallucinations in n >= 190 bounds the rate's 95 % interval below 2 %.
    assert len(scored) >= 250 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len(CASES) == sum(grounded_b.COUNTS.values()) and len({c["id"] for c in CASES}) == len(
        CASES
    )
    assert Counter(c["kind"] for c in CASES) == grounded_b.COUNTS
    langs = Counter(c["lang"] for c in CASES)
    assert set(langs) == set(grounded_b.LANGS) and langs["en"] > len(CASES) / 2
    assert all(langs[lang] >= 15 for lang in ("fr", "de", "es"))
    assert {c["domain"] for c in CASES} == set(grounded_b.DOMAINS)
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= 300 and origins["distractor"] >= 250
    patterns = {(c["kind"], c["pattern"]) for c in CASES}
    assert {(k, p) for k, (_, ps) in grounded_b.BUILDERS.items() for p in ps} == patterns
    assert any(c["expect_outcome"] == "escalated" for c in CASES)


def test_set__is_blind_to_the_first_grounded_set():
    """No case of this set repeats one of the first set's inputs."""
    first = {
        json.dumps(c.input, sort_keys=True) for c in load_cases(dataset_paths(["heldout/grounded"]))
    }
    assert not first & {json.dumps(c["input"], sort_keys=True) for c in CASES}


def test_grounded_b__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/grounded_b"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
