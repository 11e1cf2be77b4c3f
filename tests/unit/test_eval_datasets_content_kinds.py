"""The eval datasets of metadata_enrichment, moderation_summary and document_extraction
(evals/README.md): the offline answer (the extractive provider, after moderation's
rule stage) meets what each case expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import KINDS

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"


def _cases(kind: str) -> list[dict]:
    lines = (DATASETS / f"{kind}.jsonl").read_text().splitlines()
    return [{**json.loads(line), "kind": kind} for line in lines if line.strip()]


async def _offline(case: dict) -> dict:
    kind = KINDS[case["kind"]]
    result = await kind.handler(
        kind.input_model.model_validate(case["input"]), ExtractiveProvider()
    )
    return result.output.model_dump()


def _values(output: dict) -> dict:
    return {f["field"]: f for f in output["fields"]}


@pytest.mark.parametrize("case", _cases("metadata_enrichment"), ids=lambda c: c["id"])
async def test_metadata_enrichment_offline__meets_each_case(case):
    output = await _offline(case)

    assert output["outcome"] == case["expect_outcome"]
    fields = _values(output)
    for name, text in case["must_fill"].items():
        assert text.casefold() in (fields[name]["value"] or "").casefold()
    for name, source in case.get("must_cite", {}).items():
        assert fields[name]["source"] == source
    assert all(fields[name]["value"] is None for name in case["must_be_empty"])


@pytest.mark.parametrize("case", _cases("moderation_summary"), ids=lambda c: c["id"])
async def test_moderation_summary_offline__meets_each_case(case):
    output = await _offline(case)

    assert output["outcome"] == case["expect_outcome"]
    assert output["decided_by"] == case["expect_decided_by"]
    assert set(case["must_label"]) <= set(output["labels"])
    assert not set(case["must_not_label"]) & set(output["labels"])
    if "expect_severity" in case:
        assert output["severity"] == case["expect_severity"]


@pytest.mark.parametrize("case", _cases("document_extraction"), ids=lambda c: c["id"])
async def test_document_extraction_offline__meets_each_case(case):
    output = await _offline(case)

    assert output["outcome"] == case["expect_outcome"]
    fields = _values(output)
    assert {name: fields[name]["value"] for name in case["must_extract"]} == case["must_extract"]
    assert all(fields[name]["value"] is None for name in case["must_be_empty"])
    for field in output["fields"]:
        if field["quote"] is not None:
            assert case["input"]["text"][field["start"] : field["end"]] == field["quote"]
