"""The held-out grounded set (evals/heldout/grounded.py): the generator reproduces the
committed file byte for byte, every case is a valid job input of its kind, its labels
are true of its input, and it is large enough to bound hallucination near 2 %."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from app.jobs.schemas import JobRequest
from evals import grounding, metrics
from evals.datasets import dataset_paths, load_cases
from evals.heldout import grounded
from evals.heldout.generate import GROUNDED_SEED, OUT_DIR, build
from tasks.kinds import KINDS

CASES = [json.loads(line) for line in build()["grounded.jsonl"].splitlines()]


def test_generator__reproduces_the_committed_file_byte_for_byte():
    assert (OUT_DIR / "grounded.jsonl").read_bytes() == build()["grounded.jsonl"].encode("utf-8")


def test_generator__is_deterministic_and_its_seed_matters():
    again = grounded.grounded_cases(random.Random(GROUNDED_SEED))
    other = grounded.grounded_cases(random.Random(GROUNDED_SEED + 1))
    assert again == CASES and other != CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case__is_a_valid_job_input_of_its_kind_with_true_labels(case):
    KINDS[case["kind"]].input_model.model_validate(case["input"])
    JobRequest.model_validate({"kind": case["kind"], "input": case["input"]})
    assert grounded.mislabelled(case) == []
    assert case["must_not_contain"] and set(case["must_not_contain"]) == set(case["banned"])


def test_labels__are_checked_against_the_input():
    case = json.loads(json.dumps(CASES[0]))
    wrong = case["must_contain"][0]
    case["banned"][wrong] = "invented"
    assert grounded.mislabelled(case) == [
        f"banned {wrong!r} is in a right source",
        f"banned {wrong!r} is not invented",
    ]


def test_set__scores_enough_cases_for_hallucination_and_covers_kinds_languages_and_domains():
    scored = [
        c
        for c in CASES
        if grounding.material(c["kind"], c["input"]) is not None
        and c["expect_outcome"] != "escalated"
    ]
    # Every kind is grounded, so every kind is scored.
    assert {c["kind"] for c in scored} == set(grounded.COUNTS)
    # 0 hallucinations in n >= 190 bounds the rate's 95 % interval below 2 %.
    assert len(scored) >= 190 and metrics.wilson(0, len(scored))[1] < 0.02
    assert len(CASES) >= 250 and len({c["id"] for c in CASES}) == len(CASES)
    kinds = Counter(c["kind"] for c in CASES)
    assert set(kinds) == set(grounded.COUNTS) and all(n >= 20 for n in kinds.values())
    assert {c["lang"] for c in CASES} == set(grounded.LANGS)
    assert {c["domain"] for c in CASES} >= {"billing", "shipping", "saas", "hr", "retail", "b2b"}
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= 250 and origins["distractor"] >= 250
    assert any(c["expect_outcome"] == "escalated" for c in CASES)


def test_grounded__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/grounded"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
