"""The eval datasets of ``account_summary``, ``follow_up_draft``, ``product_description``
and ``bio`` (evals/README.md): the offline answer (the extractive provider, or the
template) meets what each case expects, and keeps the kind's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import KINDS

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
KINDS_A = ("account_summary", "follow_up_draft", "product_description", "bio")


def _cases() -> list[tuple[str, dict[str, Any]]]:
    return [
        (kind, json.loads(line))
        for kind in KINDS_A
        for line in (DATASETS / f"{kind}.jsonl").read_text().splitlines()
        if line.strip()
    ]


def _text(kind: str, output: dict[str, Any]) -> str:
    """What ``must_contain`` and ``must_not_contain`` are looked for in."""
    if kind == "account_summary":
        points = output["key_facts"] + output["open_issues"]
        return "\n".join([output["summary"], *(p["text"] for p in points)])
    if kind == "follow_up_draft":
        return f"{output['subject']}\n{output['body']}"
    if kind == "product_description":
        return "\n".join([output["title"], output["body"], *output["bullets"]])
    return output["bio"]


@pytest.mark.parametrize(
    ("kind", "case"), _cases(), ids=lambda c: c if isinstance(c, str) else c["id"]
)
async def test_offline_answer__meets_each_case(kind, case):
    job = KINDS[kind].input_model.model_validate(case["input"])
    result = await KINDS[kind].handler(job, ExtractiveProvider())
    output = result.output.model_dump()
    text = _text(kind, output)

    assert output["outcome"] == case["expect_outcome"]
    assert all(piece in text for piece in case["must_contain"])
    assert not any(piece in text for piece in case["must_not_contain"])
    cited = {c["source"] for c in output.get("citations", [])}
    assert set(case.get("must_cite", [])) <= cited
    if "expect_high_risk" in case:
        assert KINDS[kind].high_risk(job) is case["expect_high_risk"]
    if "expect_sentiment" in case:
        assert output["sentiment"] in case["expect_sentiment"]
    for piece in case.get("must_not_be_open_issue", []):
        assert not any(piece in issue["text"] for issue in output["open_issues"])
    for piece in case.get("must_commit", []):
        assert any(piece in commitment["text"] for commitment in output["commitments"])
    if "first_bullet_contains" in case:
        assert case["first_bullet_contains"] in output["bullets"][0]
    if kind == "bio":
        assert result.model == "template"
