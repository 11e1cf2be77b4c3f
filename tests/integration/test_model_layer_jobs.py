"""email_reply jobs through the API and a real worker whose model provider is the
fake OpenAI server (as OPENAI_API_KEY and OPENAI_BASE_URL configure it): answers of
the small tier, refusals, invalid answers, fallbacks noted in the job's history,
pauses written by another process, and many jobs in flight on few connections."""

from __future__ import annotations

import time

from app.llm.pauses import ProviderPauses
from tests.fakes.openai_server import error, invalid_json, refusal, schema_answer, together
from tests.support.jobs import job_row
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for
from tests.support.workers import running_worker


async def _submit(http, key, name: str) -> str:
    response = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, name))
    assert response.status_code == 202
    return response.json()["id"]


async def _finished(sql_conn, job_id: str) -> dict:
    async def done():
        row = job_row(sql_conn, job_id)
        return row if row["state"] in ("succeeded", "failed") else None

    return await wait_for(done, what="the job to finish")


async def test_email_reply__drafted_by_the_small_model_with_its_tokens(
    http, model_worker, make_key, sql_conn, fake_openai, ledger
):
    job_id = await _submit(http, await make_key(), "small")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"], row["prompt_version"]) == (
        "succeeded",
        "fake-small",
        "email_reply/v2",
    )
    assert row["result"]["subject"] == "fake text" and row["result"]["outcome"] == "drafted"
    assert (row["input_tokens"], row["output_tokens"]) == (7, 3)
    assert fake_openai.models() == ["fake-small"]
    assert ledger.calls(job_id) == [("generate", "fake-small", "ok")]


async def test_email_reply__model_refusal_succeeds_with_the_refused_outcome(
    http, model_worker, make_key, sql_conn, fake_openai
):
    fake_openai.script(refusal("Not something I can draft."))
    job_id = await _submit(http, await make_key(), "refused")

    row = await _finished(sql_conn, job_id)

    assert row["state"] == "succeeded"
    assert (row["result"]["outcome"], row["result"]["refusal_reason"]) == (
        "refused",
        "Not something I can draft.",
    )


async def test_email_reply__invalid_after_repair_fails_with_invalid_model_output(
    http, model_worker, make_key, sql_conn, fake_openai, ledger
):
    fake_openai.script(invalid_json(), schema_answer(outcome="refused"))
    job_id = await _submit(http, await make_key(), "invalid")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["attempt"]) == ("failed", 1)
    assert row["error"]["code"] == "invalid_model_output"
    assert len(fake_openai.requests) == 2
    assert [outcome for *_, outcome in ledger.calls(job_id)] == ["invalid_output"] * 2


async def test_email_reply__provider_error_falls_back_to_extractive_noted_in_the_history(
    http, model_worker, make_key, sql_conn, fake_openai, ledger
):
    fake_openai.script(error(500))
    key = await make_key()
    job_id = await _submit(http, key, "fallback")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"], row["attempt"]) == ("succeeded", "extractive", 1)
    history = sql_conn.execute(
        "SELECT type, state::text, data FROM job_events WHERE job_id = %s ORDER BY seq",
        (job_id,),
    ).fetchall()
    assert [(t, s) for t, s, _ in history] == [
        ("queued", "queued"),
        ("running", "running"),
        ("model_fallback", "running"),
        ("succeeded", "succeeded"),
    ]
    assert history[2][2] == {
        "step": "generate",
        "from_model": "fake-small",
        "to_model": "extractive",
        "error": "provider_unavailable",
    }
    assert ledger.calls(job_id) == [
        ("generate", "fake-small", "provider_error"),
        ("generate", "extractive", "ok"),
    ]
    events = (await http.get(f"/v1/jobs/{job_id}/events", headers=auth(key))).json()
    assert "model_fallback" in [e["type"] for e in events["events"]]


async def test_worker__waits_out_a_pause_another_process_wrote(
    http, model_worker, model_settings, make_key, sql_conn, fake_openai, db
):
    provider = f"openai:{model_settings.llm.base_url}"
    paused_at = time.monotonic()
    await ProviderPauses(db).pause(provider, 1.0)
    job_id = await _submit(http, await make_key(), "paused")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"]) == ("succeeded", "fake-small")
    (sent,) = fake_openai.requests
    assert sent.received_at - paused_at >= 1.0


async def test_worker__holds_many_model_calls_in_flight_on_few_connections(
    http, model_settings, job_kinds, ledger, make_key, sql_conn, fake_openai
):
    """40 jobs, a worker running 40 at once on a pool of 10 connections: the fake
    answers only once all 40 calls are in flight together."""
    n = 40
    model_settings.worker.concurrency = n
    fake_openai.script(*[together(n)] * n)
    key = await make_key()
    job_ids = [await _submit(http, key, f"many-{i}") for i in range(n)]

    async with running_worker(model_settings, job_kinds, ledger):

        async def all_done():
            states = [job_row(sql_conn, job_id)["state"] for job_id in job_ids]
            return all(state == "succeeded" for state in states)

        await wait_for(all_done, what="every job to succeed", timeout=60)

    assert fake_openai.max_in_flight == n
    assert model_settings.database.pool_max_size == 10


async def test_worker__a_pause_longer_than_it_waits_requeues_the_job_until_the_pause_ends(
    http, model_settings, job_kinds, ledger, make_key, sql_conn, fake_openai
):
    model_settings.llm.max_pause_wait_seconds = 0  # never wait in the worker
    fake_openai.script(error(429, headers={"Retry-After": "1"}))
    key = await make_key()

    async with running_worker(model_settings, job_kinds, ledger):
        job_id = await _submit(http, key, "requeued")
        row = await _finished(sql_conn, job_id)

    assert (row["state"], row["attempt"], row["model"]) == ("succeeded", 2, "fake-small")
    retried = sql_conn.execute(
        "SELECT data FROM job_events WHERE job_id = %s AND type = 'queued' AND attempt = 1",
        (job_id,),
    ).fetchone()[0]
    assert retried["error"]["code"] == "rate_limited"
    first, second = fake_openai.requests
    assert second.received_at - first.received_at >= 1.0
    assert [model for _, model, _ in ledger.calls(job_id)] == ["fake-small", "fake-small"]
