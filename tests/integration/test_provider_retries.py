"""Through the API and a real worker, a kind calling an OpenAI-compatible server
with the real SDK: a 429 and a 500 are retried (no sooner than Retry-After) until
the answer comes; a 401 fails the job at once."""

from __future__ import annotations

from tests.fakes.openai_server import SECRET_MESSAGE, completion, error
from tests.support.jobs import events, job_row
from tests.support.requests import auth
from tests.support.waiting import wait_for


def _llm_echo(fake_url: str, prompt: str) -> dict:
    return {"kind": "llm_echo", "input": {"base_url": fake_url, "prompt": prompt}}


async def test_provider_429_then_500__retried_after_retry_after_and_succeeds_on_attempt_3(
    http, worker, make_key, sql_conn, fake_openai
):
    fake_openai.script(
        error(429, headers={"Retry-After": "1"}), error(500), completion("the answer")
    )
    key = await make_key()
    job = (
        await http.post(
            "/v1/jobs",
            json=_llm_echo(fake_openai.url, "private question"),
            headers=auth(key, "echo"),
        )
    ).json()

    async def waiting_after_the_429():
        row = job_row(sql_conn, job["id"])
        return row if row["state"] == "queued" and row["attempt"] == 1 else None

    queued = await wait_for(waiting_after_the_429, what="the job to wait after the 429")
    assert queued["error"]["code"] == "rate_limited" and queued["retry_at"] is not None

    async def finished():
        return job_row(sql_conn, job["id"])["state"] in ("succeeded", "failed")

    await wait_for(finished, what="the job to finish")
    row = job_row(sql_conn, job["id"])
    assert (row["state"], row["attempt"], row["error"], row["retry_at"]) == (
        "succeeded",
        3,
        None,
        None,
    )
    assert row["result"] == {"content": "the answer"}
    assert (row["model"], row["input_tokens"], row["output_tokens"]) == ("fake-model", 7, 3)

    history = events(sql_conn, job["id"])
    assert [(state, attempt) for _, state, attempt, *_ in history] == [
        ("queued", 0),
        ("running", 1),
        ("queued", 1),
        ("running", 2),
        ("queued", 2),
        ("running", 3),
        ("succeeded", 3),
    ]
    retries = [data for _, state, attempt, data, _ in history if state == "queued" and attempt > 0]
    assert [(d["reason"], d["error"]["code"]) for d in retries] == [
        ("transient error: rate_limited", "rate_limited"),
        ("transient error: provider_unavailable", "provider_unavailable"),
    ]
    assert all(d["retry_at"] for d in retries)
    assert SECRET_MESSAGE not in str(history) and "private" not in str(retries)

    # Three requests reached the provider, the second no sooner than its Retry-After.
    first, second, third = fake_openai.requests
    assert second.received_at - first.received_at >= 1.0
    assert third.body["messages"] == [{"role": "user", "content": "private question"}]


async def test_provider_401__fails_the_job_at_once_without_retry(
    http, worker, make_key, sql_conn, fake_openai
):
    fake_openai.script(error(401), completion("never sent"))
    key = await make_key()
    job = (
        await http.post(
            "/v1/jobs",
            json=_llm_echo(fake_openai.url, "private question"),
            headers=auth(key, "denied"),
        )
    ).json()

    async def finished():
        return job_row(sql_conn, job["id"])["state"] in ("succeeded", "failed")

    await wait_for(finished, what="the job to fail")
    row = job_row(sql_conn, job["id"])
    assert (row["state"], row["attempt"], row["retry_at"]) == ("failed", 1, None)
    assert row["error"]["code"] == "provider_auth_failed"
    assert SECRET_MESSAGE not in row["error"]["message"]
    assert [(state, attempt) for _, state, attempt, *_ in events(sql_conn, job["id"])] == [
        ("queued", 0),
        ("running", 1),
        ("failed", 1),
    ]
    assert len(fake_openai.requests) == 1
