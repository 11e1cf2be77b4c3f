"""Human review in the database: the review deadline, decisions that only a review can
make and nobody can rewrite, the shape of the reasons, retention, the model cache, and
the online signals (metrics and the quality_signals view)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from app.review.service import ReviewNotPending, ReviewService
from tasks.maintenance.expiry import ExpirySweeper
from tests.support.jobs import events, job_row, job_service, principal_of
from tests.support.kinds import TEST_KINDS
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for

LATER = datetime.now(UTC) + timedelta(days=30)
HELD_FOR = [{"code": "high_risk_kind", "detail": "every output of this kind is reviewed"}]


async def _held_job(job_factory, sql_conn, **options):
    job = await job_factory(tenant="acme", state="needs_review", **options)
    sql_conn.execute(
        "UPDATE jobs SET review_reasons = %s::jsonb WHERE id = %s",
        (json.dumps(HELD_FOR), job["id"]),
    )
    return job


async def test_expiry__a_job_past_its_deadline_in_review_expires_and_its_output_is_dropped(
    db, job_factory, make_key, sql_conn
):
    job = await _held_job(job_factory, sql_conn)
    reviewer = await principal_of(db, await make_key(tenant="acme", roles=["reviewer"]))

    async with job_service(db) as service:
        assert await ExpirySweeper(db, service.queue, interval=1).run_pass(now=LATER) == 1
    with pytest.raises(ReviewNotPending) as refused:
        await ReviewService(db, TEST_KINDS).approve(reviewer, job["id"])

    row = job_row(sql_conn, job["id"])
    assert (row["state"], row["result"]) == ("expired", None)
    assert refused.value.state == "expired"
    assert events(sql_conn, job["id"])[-1][1:4:2] == ("expired", {"reason": "deadline passed"})
    assert sql_conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)


async def test_expiry__a_held_job_before_its_deadline_waits(db, job_factory, sql_conn):
    job = await _held_job(job_factory, sql_conn)

    async with job_service(db) as service:
        swept = await ExpirySweeper(db, service.queue, interval=1).run_pass(now=datetime.now(UTC))

    assert swept == 0 and job_row(sql_conn, job["id"])["state"] == "needs_review"


@pytest.mark.parametrize("state", ["succeeded", "failed"])
async def test_review__a_job_leaves_review_only_with_its_decision_recorded(
    job_factory, sql_conn, state
):
    job = await _held_job(job_factory, sql_conn)

    with pytest.raises(psycopg.errors.CheckViolation) as refused:
        # As a decision would: the held output delivered, or dropped with an error.
        sql_conn.execute(
            "UPDATE jobs SET state = %(state)s::job_state, held_result = NULL,"
            " result = CASE WHEN %(state)s = 'succeeded' THEN held_result END,"
            " error = CASE WHEN %(state)s = 'failed' THEN %(error)s::jsonb END"
            " WHERE id = %(id)s",
            {"state": state, "id": job["id"], "error": '{"code": "x", "message": "y"}'},
        )

    assert refused.value.diag.constraint_name == "jobs_review_decided_by_review"
    assert job_row(sql_conn, job["id"])["state"] == "needs_review"


async def test_review__a_decision_cannot_be_rewritten_or_deleted_only_its_outputs_purged(
    db, job_factory, make_key, sql_conn
):
    job = await _held_job(job_factory, sql_conn)
    reviewer = await principal_of(db, await make_key(tenant="acme", roles=["reviewer"]))
    await ReviewService(db, TEST_KINDS).reject(reviewer, job["id"], reason="wrong date")

    for change in (
        "UPDATE reviews SET decision = 'approved', reason = NULL",
        "UPDATE reviews SET reviewer_key_id = 'someone'",
        "UPDATE reviews SET original_output = '{\"forged\": true}'",
        "DELETE FROM reviews",
        "TRUNCATE reviews",
    ):
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            sql_conn.execute(change)
        assert refused.value.diag.constraint_name == "reviews_append_only", change
    sql_conn.execute("UPDATE reviews SET original_output = NULL, purged_at = now()")

    row = sql_conn.execute("SELECT decision::text, reason, original_output FROM reviews").fetchone()
    assert row == ("rejected", "wrong date", None)


@pytest.mark.parametrize(
    "reasons",
    ["[]", '{"code": "x"}', '[{"detail": "no code"}]', '[{"code": 7}]', '["x"]'],
)
async def test_review__reasons_are_a_list_of_coded_objects(job_factory, sql_conn, reasons):
    job = await job_factory(state="needs_review")

    with pytest.raises(psycopg.errors.CheckViolation) as refused:
        sql_conn.execute(
            "UPDATE jobs SET review_reasons = %s::jsonb WHERE id = %s", (reasons, job["id"])
        )

    assert refused.value.diag.constraint_name == "jobs_review_reasons_shape"


async def test_retention__purges_the_outputs_a_review_kept_with_the_job(
    db, job_factory, make_key, sql_conn, pruner
):
    job = await _held_job(job_factory, sql_conn)
    reviewer = await principal_of(db, await make_key(tenant="acme", roles=["reviewer"]))
    await ReviewService(db, TEST_KINDS).approve(
        reviewer, job["id"], edited_output=None, note="fine"
    )

    await pruner.run_once(now=LATER + timedelta(days=365))

    row = sql_conn.execute(
        "SELECT original_output, edited_output, purged_at IS NOT NULL, decision::text FROM reviews"
    ).fetchone()
    assert row == (None, None, True, "approved")


async def test_cache__a_held_answer_is_not_reused_until_a_reviewer_approves_it(
    http, model_worker, make_key, sql_conn, fake_openai, db
):
    requester = await make_key(tenant="acme", groups=["support"])
    reviewer_key = await make_key(tenant="acme", roles=["reviewer"])
    body = email_reply_request(kind="email_reply_reviewed")

    async def submit(name: str) -> dict:
        job = (await http.post("/v1/jobs", json=body, headers=auth(requester, name))).json()
        return await wait_for(
            lambda: _in_review(sql_conn, job["id"]), what=f"job {name} held for review"
        )

    first = await submit("first")
    second = await submit("second")  # the first's answer is held: not served
    calls_while_held = len(fake_openai.requests)
    approved = await http.post(
        f"/v1/reviews/{first['id']}/approve", json={}, headers=auth(reviewer_key)
    )
    rejected = await http.post(
        f"/v1/reviews/{second['id']}/reject", json={"reason": "no"}, headers=auth(reviewer_key)
    )
    third = await submit("third")

    assert calls_while_held == 2
    assert (approved.status_code, rejected.status_code) == (200, 200)
    assert len(fake_openai.requests) == 2  # the approved answer served the third job
    outcomes = sql_conn.execute(
        "SELECT outcome FROM llm_calls WHERE job_id = %s", (third["id"],)
    ).fetchall()
    assert outcomes == [("cache_hit",)]


async def test_signals__held_and_decided_outputs_show_in_metrics_and_the_quality_view(
    metrics_text, http, worker, make_key, sql_conn
):
    requester = await make_key(tenant="signals")
    reviewer_key = await make_key(tenant="signals", roles=["reviewer"])
    jobs = []
    for name in ("a", "b"):
        job = (
            await http.post(
                "/v1/jobs",
                json=email_reply_request(kind="email_reply_reviewed"),
                headers=auth(requester, name),
            )
        ).json()
        jobs.append(await wait_for(lambda job=job: _in_review(sql_conn, job["id"]), what="held"))
    await http.post(f"/v1/reviews/{jobs[0]['id']}/approve", json={}, headers=auth(reviewer_key))
    await http.post(
        f"/v1/reviews/{jobs[1]['id']}/reject", json={"reason": "no"}, headers=auth(reviewer_key)
    )

    view = sql_conn.execute(
        "SELECT outputs, held_for_review, approved, rejected, rejection_rate, review_rate "
        "FROM quality_signals WHERE kind = 'email_reply_reviewed'"
    ).fetchone()
    decisions = sql_conn.execute(
        "SELECT decision::text, held_for, reviewer FROM review_decisions ORDER BY decided_at"
    ).fetchall()
    text = await metrics_text()

    assert view[:4] == (2, 2, 1, 1) and float(view[4]) == 0.5 and float(view[5]) == 1.0
    assert [d[:2] for d in decisions] == [
        ("approved", ["high_risk_kind"]),
        ("rejected", ["high_risk_kind"]),
    ]
    assert 'courier_review_holds_total{kind="email_reply_reviewed"' in text
    assert 'decision="rejected"' in text
    assert 'courier_output_outcomes_total{kind="email_reply_reviewed"' in text


async def _in_review(sql_conn, job_id) -> dict | None:
    row = job_row(sql_conn, job_id)
    return row if row["state"] == "needs_review" else None
