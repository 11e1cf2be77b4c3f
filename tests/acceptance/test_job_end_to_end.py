"""HTTP -> queue -> worker -> database -> poll, with the real API and worker."""

from __future__ import annotations

import asyncio

from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for


async def _poll_until_finished(http, key: str, job_id: str) -> dict:
    async def finished():
        job = (await http.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()
        return job if job["state"] in {"succeeded", "failed", "cancelled", "expired"} else None

    return await wait_for(finished, what=f"job {job_id} to finish")


async def test_email_reply__submitted_over_http_is_drafted_by_the_worker(http, worker, make_key):
    key = await make_key()
    submitted = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "e2e"))
    ).json()

    job = await _poll_until_finished(http, key, submitted["id"])

    assert job["state"] == "succeeded" and job["attempt"] == 1
    assert job["model"] == "extractive" and job["prompt_version"] == "email_reply/v3"
    draft = job["result"]
    assert draft["outcome"] == "drafted" and draft["refusal_reason"] is None
    assert {"source": "m1", "quote": "The refund will arrive within 5 business days."} in draft[
        "citations"
    ]
    assert "[m1]" in draft["body"]
    events = (await http.get(f"/v1/jobs/{job['id']}/events", headers=auth(key))).json()["events"]
    assert [(e["seq"], e["state"], e["attempt"]) for e in events] == [
        (1, "queued", 0),
        (2, "running", 1),
        (3, "succeeded", 1),
    ]
    polled = await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))
    assert "retry-after" not in polled.headers


async def test_email_reply__with_nothing_relevant_is_refused_not_failed(http, worker, make_key):
    key = await make_key()
    body = email_reply_request("Zebra migration patterns?")
    submitted = (await http.post("/v1/jobs", json=body, headers=auth(key, "r"))).json()
    job = await _poll_until_finished(http, key, submitted["id"])
    assert job["state"] == "succeeded"
    assert job["result"]["outcome"] == "refused" and job["result"]["refusal_reason"]
    assert job["result"]["citations"] == []


async def test_many_jobs__each_runs_once_and_succeeds(http, worker, make_key, sql_conn):
    key = await make_key()
    responses = await asyncio.gather(
        *[
            http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, f"many-{i}"))
            for i in range(40)
        ]
    )
    ids = [r.json()["id"] for r in responses]
    for job_id in ids:
        await _poll_until_finished(http, key, job_id)
    rows = sql_conn.execute(
        "SELECT state::text, attempt, (SELECT count(*) FROM job_events e WHERE e.job_id = j.id) "
        "FROM jobs j WHERE id = ANY(%s::uuid[])",
        (ids,),
    ).fetchall()
    assert rows == [("succeeded", 1, 3)] * 40


async def test_list__a_bad_query_value_is_a_400_that_does_not_echo_it(http, make_key):
    key = await make_key(tenant="echo")
    value = "jane.roe.pii@corp-mail.example"

    refused = await http.get("/v1/jobs", params={"state": value}, headers=auth(key))

    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert value not in refused.text and "jane.roe" not in refused.text
    assert refused.json()["errors"][0]["field"] == "state"
