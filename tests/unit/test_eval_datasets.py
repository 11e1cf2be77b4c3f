"""The eval datasets (evals/datasets/<kind>.jsonl): each case is a valid job input of
its kind, and the offline answer (the extractive provider) meets what it expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import KINDS

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"


def _cases(kind: str) -> list[dict]:
    lines = (DATASETS / f"{kind}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind__has_ten_or_more_cases_with_unique_ids(kind):
    cases = _cases(kind)
    assert len(cases) >= 10
    assert len({case["id"] for case in cases}) == len(cases)


@pytest.mark.parametrize(
    "case", _cases("taxonomy_tagging") + _cases("support_answer"), ids=lambda c: c["id"]
)
async def test_offline_answer__meets_each_case(case):
    kind = KINDS["taxonomy_tagging" if "taxonomy" in case["input"] else "support_answer"]
    result = await kind.handler(
        kind.input_model.model_validate(case["input"]), ExtractiveProvider()
    )
    output = result.output.model_dump()

    assert output["outcome"] == case["expect_outcome"]
    if "must_tag" in case:
        tags = {tag["tag"] for tag in output["tags"]}
        assert set(case["must_tag"]) <= tags and not tags & set(case["must_not_tag"])
    else:
        assert set(case["must_cite"]) <= {c["source"] for c in output["citations"]}
        assert all(text in output["answer"] for text in case["must_contain"])
        assert not any(text in output["answer"] for text in case["must_not_contain"])
