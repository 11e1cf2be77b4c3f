"""Human review over HTTP: a held output reaches no one but a reviewer until a decision
(polling, listing, SSE, webhooks), each decision ends the job and is delivered the
normal way, reviewers alone may decide, and a decision is made once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.support.jobs import events, job_row
from tests.support.requests import auth, email_reply_request
from tests.support.streams import read_stream
from tests.support.waiting import wait_for

pytestmark = pytest.mark.usefixtures("loopback_webhooks")

REVIEWED = "email_reply_reviewed"  # every output held (tests/support/kinds.py)


async def _held(http, key: str, tenant_key: str = "h") -> dict[str, Any]:
    """Submit a job of the reviewed kind and wait until its output is held."""
    body = email_reply_request() | {"kind": REVIEWED}
    job = (await http.post("/v1/jobs", json=body, headers=auth(key, tenant_key))).json()

    async def held() -> dict[str, Any] | None:
        got = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()
        return got if got["state"] == "needs_review" else None

    return await wait_for(held, what="the job held for review")


async def _keys(make_key) -> tuple[str, str, str]:
    """A tenant, its requester's key and its reviewer rita's."""
    tenant = f"rev-{uuid.uuid4().hex[:8]}"
    return (
        tenant,
        await make_key(tenant=tenant, user="requester"),
        await make_key(tenant=tenant, user="rita", roles=["reviewer"]),
    )


async def test_review__a_held_output_is_shown_to_its_reviewer_and_never_to_the_requester(
    http, worker, make_key
):
    _, requester, reviewer = await _keys(make_key)
    job = await _held(http, requester)

    listed = (await http.get("/v1/jobs", headers=auth(requester))).json()["items"]
    queue = (await http.get("/v1/reviews", headers=auth(reviewer))).json()
    review = (await http.get(f"/v1/reviews/{job['id']}", headers=auth(reviewer))).json()

    assert job["result"] is None and listed[0]["result"] is None
    assert [item["job_id"] for item in queue["items"]] == [job["id"]]
    assert queue["items"][0]["reasons"][0]["code"] == "high_risk_kind"
    assert review["state"] == "needs_review" and review["decision"] is None
    assert review["output"]["outcome"] == "drafted" and review["output"]["citations"]
    assert review["input"]["thread"]  # the sources the output was made from


async def test_review__approval_delivers_the_output_by_poll_sse_and_webhook_only_after_it(
    http, worker, make_key, receiver, sql_conn
):
    tenant, requester, reviewer = await _keys(make_key)
    admin = await make_key(tenant=tenant, roles=["admin"])
    endpoint = (
        await http.post(
            "/v1/webhooks",
            json={"url": receiver.url, "include_result": True},
            headers=auth(admin),
        )
    ).json()
    receiver.secret = endpoint["secret"]
    job = await _held(http, requester)
    await wait_for(lambda: _true(len(receiver.deliveries) >= 3), what="three webhooks")
    held_stream = await read_stream(
        http, f"/v1/jobs/{job['id']}/events", auth(requester), until_seq=3
    )
    output = (await http.get(f"/v1/reviews/{job['id']}", headers=auth(reviewer))).json()["output"]

    before = [(d.body["type"], d.body["data"].get("result")) for d in receiver.deliveries]
    approved = await http.post(f"/v1/reviews/{job['id']}/approve", json={}, headers=auth(reviewer))
    await wait_for(lambda: _true(len(receiver.deliveries) >= 4), what="the succeeded webhook")
    stream = await read_stream(http, f"/v1/jobs/{job['id']}/events", auth(requester))
    polled = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(requester))).json()

    assert before == [("job.queued", None), ("job.running", None), ("job.needs_review", None)]
    assert [m.data["type"] for m in held_stream] == [
        "job.queued",
        "job.running",
        "job.needs_review",
    ]
    assert all("drafted" not in str(m.data) for m in held_stream)  # no output in any event
    assert held_stream[-1].data["data"]["review_reasons"] == ["high_risk_kind"]
    assert approved.status_code == 200, approved.text
    assert approved.json()["decision"]["decision"] == "approved"
    assert approved.json()["decision"]["reviewer"] == "rita"
    assert receiver.deliveries[3].body["type"] == "job.succeeded"
    assert receiver.deliveries[3].body["data"]["result"] == output
    assert polled["state"] == "succeeded" and polled["result"] == output
    assert stream[-1].data["type"] == "job.succeeded"
    assert stream[-1].data["data"]["review"]["decision"] == "approved"
    seq, state, _, data, actor = events(sql_conn, job["id"])[-1]
    reviewer_id = sql_conn.execute(
        "SELECT reviewer_id FROM reviews WHERE job_id = %s", (job["id"],)
    ).fetchone()[0]
    assert (state, actor) == ("succeeded", f"principal:{reviewer_id}")
    assert data["review"]["edited"] is False


async def test_review__an_approved_edit_is_delivered_and_both_versions_are_kept(
    http, worker, make_key, sql_conn
):
    _, requester, reviewer = await _keys(make_key)
    job = await _held(http, requester)
    original = (await http.get(f"/v1/reviews/{job['id']}", headers=auth(reviewer))).json()["output"]
    edit = original | {"body": "Hello,\n\nYour refund arrives within 5 business days.\n"}

    approved = await http.post(
        f"/v1/reviews/{job['id']}/approve",
        json={"output": edit, "note": "tightened the wording"},
        headers=auth(reviewer),
    )
    polled = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(requester))).json()

    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["output"], body["edited_output"]) == (original, edit)
    assert body["decision"]["edited"] is True
    assert polled["result"] == edit
    row = sql_conn.execute(
        "SELECT decision::text, edited, reason, original_output, edited_output FROM reviews "
        "WHERE job_id = %s",
        (job["id"],),
    ).fetchone()
    assert row == ("approved", True, "tightened the wording", original, edit)


async def test_review__an_edit_that_is_not_a_valid_output_is_422_naming_the_field(
    http, worker, make_key, sql_conn
):
    _, requester, reviewer = await _keys(make_key)
    job = await _held(http, requester)

    refused = await http.post(
        f"/v1/reviews/{job['id']}/approve",
        json={"output": {"subject": "Re: x", "body": "y", "citations": [], "outcome": "maybe"}},
        headers=auth(reviewer),
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "output.outcome" in [e["field"] for e in refused.json()["errors"]]
    assert job_row(sql_conn, job["id"])["state"] == "needs_review"
    assert sql_conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)


async def test_review__a_rejection_fails_the_job_and_its_output_reaches_no_one(
    http, worker, make_key, sql_conn
):
    _, requester, reviewer = await _keys(make_key)
    job = await _held(http, requester)

    rejected = await http.post(
        f"/v1/reviews/{job['id']}/reject",
        json={"reason": "promises a date the thread does not give"},
        headers=auth(reviewer),
    )
    polled = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(requester))).json()
    stream = await read_stream(http, f"/v1/jobs/{job['id']}/events", auth(requester))

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["decision"]["decision"] == "rejected"
    assert rejected.json()["output"]["outcome"] == "drafted"  # the reviewer still sees it
    assert polled["state"] == "failed" and polled["result"] is None
    assert polled["error"]["code"] == "rejected_in_review"
    assert [m.data["type"] for m in stream][-1] == "job.failed"
    assert all("drafted" not in str(m.data) for m in stream)
    assert job_row(sql_conn, job["id"])["result"] is None
    # Prompt experiments see the rejection beside the version that made the output.
    row = sql_conn.execute(
        "SELECT p.reviewed, p.review_rejection_rate FROM prompt_versions p "
        "JOIN jobs j ON j.tenant_id = p.tenant_id AND j.kind = p.kind "
        "AND j.prompt_version = p.prompt_version WHERE j.id = %s",
        (job["id"],),
    ).fetchone()
    assert row == (1, 1)


async def test_review__a_held_job_of_a_kind_without_its_own_window_gets_the_review_window(
    http, worker, make_key, sql_conn
):
    _, requester, _ = await _keys(make_key)
    job = await _held(http, requester)  # email_reply's own deadline is minutes

    row = sql_conn.execute(
        "SELECT expires_at - created_at FROM jobs WHERE id = %s", (job["id"],)
    ).fetchone()

    assert row[0] >= timedelta(hours=23)  # COURIER_REVIEW_WINDOW_SECONDS, 24 h by default


_PII_REASON = "wrong: jane.roe.pii@corp-mail.example card 4539148803436467 ssn 536-22-8841"
_PII_VALUES = ("jane.roe.pii@corp-mail.example", "4539148803436467", "536-22-8841")


@pytest.mark.parametrize("decision", ["reject", "approve"])
async def test_review__a_reviewers_reason_is_stored_redacted(
    decision, http, worker, make_key, sql_conn
):
    _, requester, reviewer = await _keys(make_key)
    job = await _held(http, requester)
    body = {"reason": _PII_REASON} if decision == "reject" else {"note": _PII_REASON}

    decided = await http.post(
        f"/v1/reviews/{job['id']}/{decision}", json=body, headers=auth(reviewer)
    )

    assert decided.status_code == 200, decided.text
    stored = sql_conn.execute(
        "SELECT (SELECT reason FROM reviews WHERE job_id = j.id), j.error::text, "
        "(SELECT string_agg(data::text, ' ') FROM job_events WHERE job_id = j.id) "
        "FROM jobs j WHERE j.id = %s",
        (job["id"],),
    ).fetchone()
    text = " ".join(str(part) for part in stored)
    assert "[email]" in str(stored[0])
    assert not any(value in text for value in _PII_VALUES)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/reviews", None),
        ("GET", "/v1/reviews/{id}", None),
        ("POST", "/v1/reviews/{id}/approve", {}),
        ("POST", "/v1/reviews/{id}/reject", {"reason": "no"}),
    ],
)
async def test_review__a_key_without_the_reviewer_role_gets_403_problem_json(
    http, make_key, job_id, method, path, body
):
    requester = await make_key(tenant="acme", roles=["admin"])

    response = await http.request(
        method, path.format(id=job_id), json=body, headers=auth(requester)
    )

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:courier:problem:reviewer-required"


async def test_review__two_reviewers_at_once_one_decides_and_the_other_gets_409(
    http, worker, make_key, sql_conn
):
    tenant, requester, reviewer = await _keys(make_key)
    other = await make_key(tenant=tenant, roles=["reviewer"])
    job = await _held(http, requester)

    answers = await asyncio.gather(
        http.post(f"/v1/reviews/{job['id']}/approve", json={}, headers=auth(reviewer)),
        http.post(f"/v1/reviews/{job['id']}/reject", json={"reason": "no"}, headers=auth(other)),
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["state"] in ("succeeded", "failed")
    assert sql_conn.execute(
        "SELECT count(*) FROM reviews WHERE job_id = %s", (job["id"],)
    ).fetchone() == (1,)
    again = await http.post(f"/v1/reviews/{job['id']}/approve", json={}, headers=auth(reviewer))
    assert again.status_code == 409


async def test_review__a_reviewer_of_another_tenant_finds_nothing(http, worker, make_key):
    _, requester, _ = await _keys(make_key)
    stranger = await make_key(tenant="elsewhere", roles=["reviewer"])
    job = await _held(http, requester)

    read = await http.get(f"/v1/reviews/{job['id']}", headers=auth(stranger))
    approve = await http.post(f"/v1/reviews/{job['id']}/approve", json={}, headers=auth(stranger))
    queue = (await http.get("/v1/reviews", headers=auth(stranger))).json()

    assert (read.status_code, approve.status_code) == (404, 404)
    assert queue["items"] == []


async def _true(value: bool) -> bool:
    return value
