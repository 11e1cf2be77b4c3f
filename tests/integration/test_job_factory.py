"""The job factory (tests/support/jobs.py) makes jobs the way Courier does: through the
real queries, with the history those leave."""

from __future__ import annotations

import pytest

from tests.support.jobs import events


@pytest.mark.parametrize(
    ("state", "history"),
    [
        ("queued", ["queued"]),
        ("running", ["queued", "running"]),
        ("needs_review", ["queued", "running", "needs_review"]),
        ("succeeded", ["queued", "running", "succeeded"]),
        ("failed", ["queued", "running", "failed"]),
        ("cancelled", ["queued", "cancelled"]),
    ],
)
async def test_job_factory__brings_a_job_to_its_state_through_the_real_transitions(
    job_factory, sql_conn, state, history
):
    job = await job_factory(state=state)
    assert job["state"] == state
    assert [e[1] for e in events(sql_conn, job["id"])] == history
    assert {e[4] for e in events(sql_conn, job["id"])} == {"test"}
    assert (job["lease"] is not None) == (state not in ("queued", "cancelled"))
    queue_entry = sql_conn.execute(
        "SELECT queue_job_id FROM jobs WHERE id = %s", (job["id"],)
    ).fetchone()
    assert queue_entry == (None,)  # nothing runs it unless the test does


async def test_job_factory__defaults_are_random_and_overrides_are_kept(job_factory, sql_conn):
    first, second = await job_factory(), await job_factory()
    assert first["tenant_id"] != second["tenant_id"]
    assert first["kind"] == "email_reply" and first["input"]["question"]

    job = await job_factory(
        tenant="acme",
        requester="alice",
        kind="sleepy",
        input={"ms": 5, "label": "x"},
        state="failed",
        error={"code": "boom", "message": "it broke"},
        priority=7,
        queue="slow",
        callback_url="https://cb.example.com/x",
    )
    assert (job["kind"], job["input"], job["priority"], job["queue"]) == (
        "sleepy",
        {"ms": 5, "label": "x"},
        7,
        "slow",
    )
    assert (job["error"], job["callback_url"]) == (
        {"code": "boom", "message": "it broke"},
        "https://cb.example.com/x",
    )
    assert sql_conn.execute(
        "SELECT t.slug, p.external_id FROM jobs j JOIN tenants t ON t.id = j.tenant_id "
        "JOIN principals p ON p.id = j.requester_id WHERE j.id = %s",
        (job["id"],),
    ).fetchone() == ("acme", "alice")


async def test_job_factory__refuses_a_state_it_cannot_reach_by_the_real_queries(job_factory):
    with pytest.raises(ValueError, match="expired"):
        await job_factory(state="expired")
