"""metadata_enrichment, moderation_summary and document_extraction through the step
runner (or a real worker), the real SDK and the fake OpenAI server: each output
model as the strict schema and back; a rule broken, repaired, then pruned or failing;
moderation's rule stage deciding with no model call at all; a high-risk input
starting at the large tier."""

from __future__ import annotations

import pytest

from app.llm.errors import InvalidModelOutput
from tasks.kinds import document_extraction, metadata_enrichment, moderation_summary
from tests.fakes.openai_server import refusal, schema_answer
from tests.support.content_kind_inputs import INVOICE, INVOICE_TEXT, PRODUCT, REVIEW
from tests.support.jobs import job_row
from tests.support.ledger import call_outcomes, calls
from tests.support.requests import auth
from tests.support.steps import context_of, openai_steps
from tests.support.waiting import wait_for

TIED = [
    {
        "field": "material",
        "value": "80% merino wool, 20% nylon",
        "confidence": 0.9,
        "source": "spec-1",
        "quote": "Material: 80% merino wool, 20% nylon",
    },
    {"field": "colour", "value": None, "confidence": 0.0, "source": None, "quote": None},
    {
        "field": "audience",
        "value": "men",
        "confidence": 0.7,
        "source": "title",
        "quote": "Men's Merino Wool Hiking Socks",
    },
    {"field": "brand", "value": None, "confidence": 0.0, "source": None, "quote": None},
]
GUESSED_BRAND = {
    "field": "brand",
    "value": "Smartwool",
    "confidence": 0.8,
    "source": "description",
    "quote": "Cushioned crew socks for long days on the trail.",
}


async def _run(db, provider, call_ledger, job, handler, job_input, kind):
    steps = openai_steps(db, provider, call_ledger)
    return await handler(job_input, steps.for_job(context_of(job, kind=kind)))


async def test_metadata_enrichment__round_trips_its_schema_through_the_model(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(schema_answer(fields=TIED, outcome="enriched"))

    result = await _run(
        db, provider, call_ledger, job, metadata_enrichment.enrich_metadata, PRODUCT, "m"
    )

    assert result.output.model_dump() == {
        "fields": TIED,
        "outcome": "enriched",
        "refusal_reason": None,
    }
    assert result.model == "fake-small"
    (sent,) = fake_openai.requests
    assert sent.body["response_format"]["json_schema"]["name"] == "EnrichedMetadata"
    assert 'name="spec-1"' in sent.body["messages"][1]["content"]
    assert [c["prompt_version"] for c in calls(sql_conn, job["id"])] == ["metadata_enrichment/v1"]


async def test_metadata_enrichment__a_guessed_value_gets_one_repair_then_is_removed(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    guessed = [*TIED[:3], GUESSED_BRAND]
    fake_openai.script(
        schema_answer(fields=guessed, outcome="enriched"),
        schema_answer(fields=guessed, outcome="enriched"),
    )

    result = await _run(
        db, provider, call_ledger, job, metadata_enrichment.enrich_metadata, PRODUCT, "m"
    )

    assert result.output.outcome == "enriched"
    assert result.output.fields[3].model_dump() == TIED[3]
    assert result.output.fields[0].value == "80% merino wool, 20% nylon"
    repair = fake_openai.requests[1].body["messages"][3]["content"]
    assert "fields[3].value: not stated by its quote" in repair
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-small", "invalid_output"),
        ("generate.repair", "fake-small", "ok"),
    ]


async def test_metadata_enrichment__nothing_tied_after_the_repair_is_a_refusal_not_a_guess(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    only_guesses = [{**GUESSED_BRAND, "field": name} for name in PRODUCT.fields]
    fake_openai.script(
        schema_answer(fields=only_guesses, outcome="enriched"),
        schema_answer(fields=only_guesses, outcome="enriched"),
    )

    result = await _run(
        db, provider, call_ledger, job, metadata_enrichment.enrich_metadata, PRODUCT, "m"
    )

    assert (result.output.outcome, result.output.fields) == ("refused", [])
    assert result.output.refusal_reason == metadata_enrichment.NOTHING_STATED


async def test_moderation_summary__round_trips_a_judgement_decided_by_the_model(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    passages = [{"label": "harassment", "quote": "You are a pathetic loser"}]
    fake_openai.script(
        schema_answer(
            labels=["harassment"],
            severity="medium",
            rationale="An insult aimed at the seller.",
            passages=passages,
            outcome="moderated",
        )
    )

    result = await _run(
        db, provider, call_ledger, job, moderation_summary.summarise_moderation, REVIEW, "d"
    )

    assert result.output.model_dump() == {
        "labels": ["harassment"],
        "severity": "medium",
        "rationale": "An insult aimed at the seller.",
        "passages": passages,
        "outcome": "moderated",
        "refusal_reason": None,
        "decided_by": "model",
    }
    schema = fake_openai.requests[0].body["response_format"]["json_schema"]
    assert schema["name"] == "ModerationJudgement"
    assert "decided_by" not in schema["schema"]["properties"]
    assert schema["schema"]["properties"]["labels"]["items"]["enum"] == list(
        moderation_summary.POLICY
    )


async def test_moderation_summary__a_label_whose_quotes_are_not_in_the_content_fails(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    made_up = schema_answer(
        labels=["hate"],
        severity="high",
        rationale="A slur.",
        passages=[{"label": "hate", "quote": "people like you are vermin"}],
        outcome="moderated",
    )
    fake_openai.script(made_up, made_up)

    with pytest.raises(InvalidModelOutput):
        await _run(
            db, provider, call_ledger, job, moderation_summary.summarise_moderation, REVIEW, "d"
        )

    repair = fake_openai.requests[1].body["messages"][3]["content"]
    assert "passages[0].quote: not found word for word" in repair
    assert [outcome for *_, outcome in call_outcomes(sql_conn, job["id"])] == ["invalid_output"] * 2


async def test_moderation_summary__a_model_refusal_is_the_refused_outcome(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(refusal("I can't assess this content."))

    result = await _run(
        db, provider, call_ledger, job, moderation_summary.summarise_moderation, REVIEW, "d"
    )

    assert (result.output.outcome, result.output.refusal_reason, result.output.decided_by) == (
        "refused",
        "I can't assess this content.",
        "model",
    )


async def _moderation_job(http, sql_conn, key: str, name: str, content: str) -> dict:
    response = await http.post(
        "/v1/jobs",
        json={"kind": "moderation_summary", "input": {"content": content}},
        headers=auth(key, name),
    )
    assert response.status_code == 202

    async def finished():
        row = job_row(sql_conn, response.json()["id"])
        return row if row["state"] in ("succeeded", "failed") else None

    return await wait_for(finished, what="the moderation job to finish")


async def test_moderation_summary__the_rule_stage_decides_a_job_with_no_model_call(
    http, model_worker, make_key, sql_conn, fake_openai
):
    row = await _moderation_job(
        http, sql_conn, await make_key(), "card", "Refund my card 4111 1111 1111 1111 now!"
    )

    assert (row["state"], row["model"]) == ("succeeded", "rules")
    assert (row["result"]["decided_by"], row["result"]["labels"]) == ("rules", ["pii_exposure"])
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (0, 0, 0)
    assert fake_openai.requests == [] and calls(sql_conn, row["id"]) == []


async def test_moderation_summary__a_threat_is_high_risk_and_judged_by_the_large_tier(
    http, model_worker, make_key, sql_conn, fake_openai
):
    content = "Post my address again and I will kill you."
    fake_openai.script(
        schema_answer(
            labels=["violence"],
            severity="high",
            rationale="A credible threat.",
            passages=[{"label": "violence", "quote": "I will kill you"}],
            outcome="moderated",
        )
    )

    row = await _moderation_job(http, sql_conn, await make_key(), "threat", content)

    assert (row["state"], row["model"]) == ("succeeded", "fake-large")
    assert (row["result"]["severity"], row["result"]["decided_by"]) == ("high", "model")
    assert call_outcomes(sql_conn, row["id"]) == [("generate", "fake-large", "ok")]


async def test_document_extraction__round_trips_with_spans_located_by_courier(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    answered = [
        {"field": name, "value": None, "confidence": 0.0, "quote": None}
        for name in document_extraction.SCHEMAS["invoice"]
    ]
    answered[3] = {
        "field": "total",
        "value": "720.00",
        "confidence": 0.95,
        "quote": "TOTAL DUE: EUR 720.00",
    }
    fake_openai.script(schema_answer(fields=answered, outcome="extracted"))

    result = await _run(
        db, provider, call_ledger, job, document_extraction.extract_document, INVOICE, "x"
    )

    total = result.output.fields[3]
    assert (total.value, total.quote) == ("720.00", "Total due: EUR 720.00")
    assert INVOICE_TEXT[total.start : total.end] == total.quote
    assert result.output.document_type == "invoice"
    schema = fake_openai.requests[0].body["response_format"]["json_schema"]
    assert schema["name"] == "DocumentFields"
    assert set(schema["schema"]["$defs"]["FieldAnswer"]["properties"]) == {
        "field",
        "value",
        "confidence",
        "quote",
    }


async def test_document_extraction__a_span_not_in_the_document_is_repaired_then_emptied(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    answered = [
        {"field": name, "value": None, "confidence": 0.0, "quote": None}
        for name in document_extraction.SCHEMAS["invoice"]
    ]
    answered[0] = {
        "field": "invoice_number",
        "value": "INV-2026-0042",
        "confidence": 0.9,
        "quote": "Invoice no.: INV-2026-0042",
    }
    answered[3] = {"field": "total", "value": "7200", "confidence": 0.9, "quote": "Total: 7200"}
    fake_openai.script(
        schema_answer(fields=answered, outcome="extracted"),
        schema_answer(fields=answered, outcome="extracted"),
    )

    result = await _run(
        db, provider, call_ledger, job, document_extraction.extract_document, INVOICE, "x"
    )

    assert [(f.field, f.value) for f in result.output.fields if f.value] == [
        ("invoice_number", "INV-2026-0042")
    ]
    repair = fake_openai.requests[1].body["messages"][3]["content"]
    assert "fields[3].quote: not found word for word" in repair
