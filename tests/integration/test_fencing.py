"""Fencing: only the execution holding the current lease can finish a job."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from decimal import Decimal

from app.db import Database
from app.jobs.kinds import KindResult
from app.llm.provider import Usage
from tasks.execution import JobExecutor
from tasks.kinds import KINDS
from tests.support.steps import offline_steps
from tests.support.waiting import wait_for


def _finish_params(job_id, lease, body: str) -> dict:
    return dict(
        actor="test",
        job_id=job_id,
        lease=lease,
        state="succeeded",
        result={"body": body},
        error=None,
        review_window=None,
        reason=None,
        record_safety=False,
        safety_flags=None,
        review_reasons=None,
        model="m",
        prompt_version="p",
        input_tokens=1,
        output_tokens=1,
        cost_usd=0,
    )


async def test_second_lease__makes_the_first_executions_completion_a_no_op(db, job_id, sql_conn):
    first = await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job_id, queue_job_id=None
    )
    second = await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job_id, queue_job_id=None
    )  # a takeover of a stalled execution
    assert first is not None and second is not None
    assert (first["attempt"], second["attempt"]) == (1, 2) and first["lease"] != second["lease"]

    # Fenced off: no row, nothing changed.
    assert (
        await db.fetch_optional("job_finish", **_finish_params(job_id, first["lease"], "zombie"))
        is None
    )
    assert (
        await db.fetch_optional("job_finish", **_finish_params(job_id, second["lease"], "winner"))
        is not None
    )
    # A late retry of the same completion changes nothing either.
    assert (
        await db.fetch_optional("job_finish", **_finish_params(job_id, second["lease"], "again"))
        is None
    )

    result, tokens = sql_conn.execute(
        "SELECT result, input_tokens FROM jobs WHERE id = %s", (job_id,)
    ).fetchone()
    assert result == {"body": "winner"} and tokens == 1
    events = sql_conn.execute(
        "SELECT seq, state::text, attempt, data->>'reason' FROM job_events WHERE job_id = %s "
        "ORDER BY seq",
        (job_id,),
    ).fetchall()
    assert events == [
        (1, "queued", 0, None),
        (2, "running", 1, None),
        (3, "running", 2, "lease of attempt 1 taken over"),
        (4, "succeeded", 2, None),
    ]


async def test_zombie_execution__finishing_after_a_takeover_changes_nothing(db, job_id, sql_conn):
    """Two real executions of one job: the stalled one wakes up after the other finished."""
    release = asyncio.Event()
    calls = 0

    async def handler(job_input, provider):
        nonlocal calls
        calls += 1
        if calls == 1:
            await release.wait()  # the first execution stalls here
            return KindResult(
                output=await _draft(job_input, provider, "zombie"),
                model="zombie",
                prompt_version="p",
            )
        return KindResult(
            output=await _draft(job_input, provider, "winner"), model="winner", prompt_version="p"
        )

    kinds = {"email_reply": replace(KINDS["email_reply"], handler=handler)}
    executor = JobExecutor(db, kinds, offline_steps(db), worker_name="test")
    stalled = asyncio.create_task(executor.execute(job_id))
    await wait_for(lambda: _attempt(db, job_id, 1), what="first execution to take its lease")
    assert await executor.execute(job_id) == "succeeded"  # the takeover
    release.set()
    assert await stalled is None  # fenced off

    model, subject, version = sql_conn.execute(
        "SELECT model, result->>'subject', version FROM jobs WHERE id = %s", (job_id,)
    ).fetchone()
    assert (model, subject) == ("winner", "winner")
    states = [
        r[0]
        for r in sql_conn.execute(
            "SELECT state::text FROM job_events WHERE job_id = %s ORDER BY seq", (job_id,)
        ).fetchall()
    ]
    assert states == ["queued", "running", "running", "succeeded"]


async def test_finished_job__is_not_executed_again(db, job_id):
    executor = JobExecutor(db, KINDS, offline_steps(db), worker_name="test")
    assert await executor.execute(job_id) == "succeeded"
    assert await executor.execute(job_id) is None  # e.g. a duplicate delivery of the queue entry


async def test_handler_error__fails_the_job_without_copying_input(db, job_id, sql_conn):
    async def handler(job_input, provider):
        raise ValueError(f"cannot handle {job_input.question}")

    kinds = {"email_reply": replace(KINDS["email_reply"], handler=handler)}
    assert (
        await JobExecutor(db, kinds, offline_steps(db), worker_name="t").execute(job_id) == "failed"
    )
    error = sql_conn.execute("SELECT error FROM jobs WHERE id = %s", (job_id,)).fetchone()[0]
    assert error == {"code": "handler_error", "message": "the handler raised ValueError"}


async def _attempt(db: Database, job_id: uuid.UUID, attempt: int) -> bool:
    async with db.pool.connection() as conn:
        row = await (
            await conn.execute("SELECT attempt FROM jobs WHERE id = %s", (job_id,))
        ).fetchone()
    return row[0] == attempt


async def _draft(job_input, provider, subject: str):
    from tasks.kinds.email_reply import EmailReplyDraft

    return EmailReplyDraft(subject=subject, body="b", citations=[], outcome="drafted")


async def test_completion_after_the_deadline__expires_the_job_and_drops_the_result(
    db, job_id, sql_conn
):
    async def handler(job_input, provider):
        # The deadline passes while the model is still answering.
        sql_conn.execute(
            "UPDATE jobs SET expires_at = created_at + interval '1 millisecond' WHERE id = %s",
            (job_id,),
        )
        return KindResult(
            output=await _draft(job_input, provider, "late"),
            model="m",
            prompt_version="p",
            usage=Usage(input_tokens=7, output_tokens=3, cost_usd=Decimal("0.01")),
        )

    kinds = {"email_reply": replace(KINDS["email_reply"], handler=handler)}
    assert (
        await JobExecutor(db, kinds, offline_steps(db), worker_name="t").execute(job_id)
        == "expired"
    )
    state, result, tokens, cost = sql_conn.execute(
        "SELECT state::text, result, input_tokens, cost_usd FROM jobs WHERE id = %s", (job_id,)
    ).fetchone()
    assert (state, result) == ("expired", None)
    assert (tokens, cost) == (7, Decimal("0.01"))  # what the late answer cost is still on the bill


async def test_handler_error__logs_where_it_happened_but_never_the_message(db, job_id, caplog):
    async def handler(job_input, provider):
        raise ValueError(f"cannot handle {job_input.question} for alice@example.com")

    kinds = {"email_reply": replace(KINDS["email_reply"], handler=handler)}
    with caplog.at_level("INFO"):
        assert (
            await JobExecutor(db, kinds, offline_steps(db), worker_name="t").execute(job_id)
            == "failed"
        )
    logged = " ".join(str(vars(record)) for record in caplog.records)
    assert "job_handler_error" in logged and "ValueError" in logged and "test_fencing.py" in logged
    assert "alice@example.com" not in logged and "refund" not in logged


async def test_finish__drops_the_jobs_checkpoints_and_records_its_safety_findings_only_if_ours(
    db, job_id, sql_conn
):
    """One statement: a fenced-off finish leaves the checkpoints and the safety columns
    alone; the lease holder's finish records its findings and reason and purges them."""
    first = await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job_id, queue_job_id=None
    )
    second = await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job_id, queue_job_id=None
    )
    assert first is not None and second is not None
    sql_conn.execute(
        "INSERT INTO llm_checkpoints (job_id, step, tenant_id, attempt, model, answer) "
        "SELECT id, 'generate', tenant_id, 1, 'm', '{\"a\": 1}' FROM jobs WHERE id = %s",
        (job_id,),
    )
    findings = dict(
        state="needs_review",
        reason="held for review: test",
        record_safety=True,
        safety_flags='[{"step": "generate"}]',
        review_reasons='[{"code": "injection_suspected"}]',
    )

    zombie = _finish_params(job_id, first["lease"], "zombie") | findings
    assert await db.fetch_optional("job_finish", **zombie) is None
    count = "SELECT count(*) FROM llm_checkpoints WHERE job_id = %s"
    assert sql_conn.execute(count, (job_id,)).fetchone() == (1,)
    safety = "SELECT safety_flags, review_reasons FROM jobs WHERE id = %s"
    assert sql_conn.execute(safety, (job_id,)).fetchone() == (None, None)

    winner = _finish_params(job_id, second["lease"], "held") | findings
    assert (await db.fetch_optional("job_finish", **winner))["state"] == "needs_review"
    assert sql_conn.execute(count, (job_id,)).fetchone() == (0,)
    assert sql_conn.execute(safety, (job_id,)).fetchone() == (
        [{"step": "generate"}],
        [{"code": "injection_suspected"}],
    )
    reason = sql_conn.execute(
        "SELECT data->>'reason' FROM job_events WHERE job_id = %s ORDER BY seq DESC LIMIT 1",
        (job_id,),
    ).fetchone()
    assert reason == ("held for review: test",)
