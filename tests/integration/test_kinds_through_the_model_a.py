"""``account_summary``, ``follow_up_draft``, ``product_description`` and ``bio`` through the
step runner, the real SDK and the fake OpenAI server: the output model as the strict
schema and back, a rule repaired or failing the job, citations naming only the sources
given, a refusal, and the bio's template when no model answers."""

from __future__ import annotations

import pytest

from app.llm.errors import InvalidModelOutput
from tasks.kinds import account_summary, bio, follow_up_draft, product_description
from tests.fakes.openai_server import error, refusal, schema_answer
from tests.support.kind_inputs_a import ACCOUNT, CONVERSATION, PRODUCT, PROFILE
from tests.support.ledger import call_outcomes, calls
from tests.support.steps import context_of, openai_steps

SUMMARY = {
    "summary": "A renewal is due; a duplicate charge is open.",
    "key_facts": [{"text": "Renewal on 30 June for 40 seats.", "sources": ["n1"]}],
    "open_issues": [{"text": "Invoice INV-2231 was charged twice.", "sources": ["e1"]}],
    "sentiment": "mixed",
    "sentiment_sources": ["e1"],
    "citations": [
        {"source": "n1", "quote": "Renewal due on 30 June for 40 seats."},
        {"source": "e1", "quote": "We were charged twice for invoice INV-2231 in March."},
    ],
}


async def _run(steps, job, handler, job_input, kind, tier="small"):
    return await handler(job_input, steps.for_job(context_of(job, kind=kind, tier=tier)))


async def test_account_summary__round_trips_its_schema_through_the_model(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(schema_answer(**SUMMARY))

    result = await _run(
        openai_steps(db, provider, call_ledger),
        job,
        account_summary.summarize_account,
        ACCOUNT,
        "account_summary",
    )

    assert result.output.model_dump() == {
        **SUMMARY,
        "outcome": "summarized",
        "refusal_reason": None,
    }
    assert result.model == "fake-small" and result.prompt_version == "account_summary/v2"
    (sent,) = fake_openai.requests
    assert sent.body["response_format"]["json_schema"]["name"] == "AccountSummary"
    user = sent.body["messages"][1]["content"]
    assert 'name="e1"' in user and 'name="n1"' in user
    assert [c["prompt_version"] for c in calls(sql_conn, job["id"])] == ["account_summary/v2"]


async def test_account_summary__citing_a_source_not_given_twice_is_invalid_model_output(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    forged = {**SUMMARY, "citations": [*SUMMARY["citations"], {"source": "e9", "quote": "x"}]}
    fake_openai.script(schema_answer(**forged), schema_answer(**forged))

    with pytest.raises(InvalidModelOutput):
        await _run(
            openai_steps(db, provider, call_ledger),
            job,
            account_summary.summarize_account,
            ACCOUNT,
            "account_summary",
        )

    assert "citations.source[2]" in fake_openai.requests[1].body["messages"][3]["content"]
    assert [outcome for *_, outcome in call_outcomes(sql_conn, job["id"])] == ["invalid_output"] * 2


async def test_follow_up_draft__a_commitment_nobody_made_is_repaired_with_the_rule_sent_back(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    cited = [{"source": "t2", "quote": "I will send the SSO configuration guide by Friday."}]
    invented = [{"text": "A free month of service.", "owner": "Sam Okafor", "sources": ["t1"]}]
    real = [{"text": "The SSO guide by Friday.", "owner": "Sam Okafor", "sources": ["t2"]}]
    body = "Hi Maria,\n\nThe SSO guide follows by Friday.\n\nBest regards,\nSam Okafor"
    fake_openai.script(
        schema_answer(body=body, commitments=invented, citations=cited),
        schema_answer(body=body, commitments=real, citations=cited),
    )

    result = await _run(
        openai_steps(db, provider, call_ledger),
        job,
        follow_up_draft.draft_follow_up,
        CONVERSATION,
        "follow_up_draft",
    )

    assert [c.sources for c in result.output.commitments] == [["t2"]]
    assert {c.source for c in result.output.citations} <= {"t1", "t2"}
    repair = fake_openai.requests[1].body["messages"][3]["content"]
    assert "commitments[0].sources[0]: not a turn quoted in citations" in repair
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-small", "invalid_output"),
        ("generate.repair", "fake-small", "ok"),
    ]


async def test_follow_up_draft__a_model_refusal_is_the_refused_outcome_with_its_reason(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(refusal("I cannot write that."))

    result = await _run(
        openai_steps(db, provider, call_ledger),
        job,
        follow_up_draft.draft_follow_up,
        CONVERSATION,
        "follow_up_draft",
    )

    assert (result.output.outcome, result.output.refusal_reason, result.output.body) == (
        "refused",
        "I cannot write that.",
        "",
    )


async def test_product_description__an_invented_number_is_repaired_at_the_large_tier(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    answer = {
        "title": "Northpeak Trail Runner 2 jacket",
        "bullets": ["Taped seams keep the rain out", "240 g"],
        "locale": "en-US",
        "citations": [{"source": "metadata", "quote": "recycled polyester"}],
    }
    fake_openai.script(
        schema_answer(**answer, body="A recycled polyester jacket, waterproof to 10,000 mm."),
        schema_answer(**answer, body="A 240 g jacket of recycled polyester."),
    )

    result = await _run(
        openai_steps(db, provider, call_ledger),
        job,
        product_description.describe_product,
        PRODUCT,
        "product_description",
        tier=product_description.KIND.tier,
    )

    assert (result.output.outcome, result.model) == ("written", "fake-large")
    assert result.output.body == "A 240 g jacket of recycled polyester."
    sent = fake_openai.requests[0].body
    assert sent["response_format"]["json_schema"]["name"] == "ProductDescription"
    assert 'name="metadata"' in sent["messages"][1]["content"]
    repair = fake_openai.requests[1].body["messages"][3]["content"]
    assert "body: a number that neither the metadata nor the references give" in repair


async def test_bio__a_first_person_bio_twice_is_invalid_model_output(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    first_person = "I am Head of Platform Engineering at Globex."
    fake_openai.script(schema_answer(bio=first_person), schema_answer(bio=first_person))

    with pytest.raises(InvalidModelOutput):
        await _run(openai_steps(db, provider, call_ledger), job, bio.write_bio, PROFILE, "bio")

    assert "third person" in fake_openai.requests[1].body["messages"][3]["content"]


async def test_bio__round_trips_and_falls_back_to_the_template_when_the_model_fails(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    steps = openai_steps(db, provider, call_ledger)
    written = "Aiko Tanaka is Head of Platform Engineering at Globex."
    fake_openai.script(schema_answer(bio=written), error(500), error(500))

    by_model = await _run(steps, await job_factory(state="running"), bio.write_bio, PROFILE, "bio")
    job = await job_factory(state="running")
    fallback = await _run(steps, job, bio.write_bio, PROFILE, "bio")

    assert (by_model.model, by_model.output.bio) == ("fake-small", written)
    assert fallback.model == "template" and fallback.output.outcome == "written"
    assert fallback.output.bio.startswith("Aiko Tanaka is Head of Platform Engineering at Globex.")
    assert [model for _, model, _ in call_outcomes(sql_conn, job["id"])] == [
        "fake-small",
        "fake-small",
        "extractive",
    ]
