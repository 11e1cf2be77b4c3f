"""Replay and backfill make new jobs linked by replay_of; originals never change."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.support.jobs import job_row, job_service
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


async def test_replay__creates_a_new_job_with_the_same_input_and_leaves_the_original(
    http, worker, make_key, sql_conn
):
    key = await make_key()
    original = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "orig"))
    ).json()
    await wait_for(lambda: _finished(http, key, original["id"]), what="original to finish")
    before = (await http.get(f"/v1/jobs/{original['id']}", headers=auth(key))).json()

    response = await http.post(before["links"]["replay"], headers=auth(key))

    assert response.status_code == 202
    replay = response.json()
    assert replay["id"] != original["id"] and replay["replay_of"] == original["id"]
    assert replay["state"] == "queued" and replay["kind"] == "email_reply"
    assert job_row(sql_conn, replay["id"])["input"] == job_row(sql_conn, original["id"])["input"]
    done = await wait_for(lambda: _finished(http, key, replay["id"]), what="replay to finish")
    assert done["state"] == "succeeded" and done["prompt_version"] == "email_reply/v2"
    after = (await http.get(f"/v1/jobs/{original['id']}", headers=auth(key))).json()
    assert after == before


async def test_replay__with_the_same_idempotency_key_returns_the_same_replay(http, make_key):
    key = await make_key()
    original = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "o"))
    ).json()
    first = await http.post(f"/v1/jobs/{original['id']}/replay", headers=auth(key, "replay-1"))
    second = await http.post(f"/v1/jobs/{original['id']}/replay", headers=auth(key, "replay-1"))
    third = await http.post(f"/v1/jobs/{original['id']}/replay", headers=auth(key))
    assert (first.status_code, second.status_code, third.status_code) == (202, 200, 202)
    assert first.json()["id"] == second.json()["id"] != third.json()["id"]


async def test_replay__records_who_asked_for_it_in_the_job_and_for_the_dba(
    http, make_key, sql_conn
):
    alice = await make_key(tenant="acme", user="alice")
    bob = await make_key(tenant="acme", user="bob")
    original = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(alice, "o"))
    ).json()

    replay = (await http.post(f"/v1/jobs/{original['id']}/replay", headers=auth(bob))).json()

    assert original["replayed_by"] is None and replay["replayed_by"] == "bob"
    read = (await http.get(f"/v1/jobs/{replay['id']}", headers=auth(alice))).json()
    assert read["replayed_by"] == "bob"
    [listed] = [
        job
        for job in (await http.get("/v1/jobs", headers=auth(alice))).json()["items"]
        if job["id"] == replay["id"]
    ]
    assert listed["replayed_by"] == "bob"
    history = sql_conn.execute(
        "SELECT requester, replayed_by, replayed_by_id, backfill_batch FROM job_history "
        "WHERE job_id = %s",
        (replay["id"],),
    ).fetchone()
    bob_id = sql_conn.execute("SELECT id FROM principals WHERE external_id = 'bob'").fetchone()[0]
    assert history == ("alice", "bob", bob_id, None)  # it runs for alice; bob asked for it
    assert sql_conn.execute(
        "SELECT actor FROM job_timeline WHERE job_id = %s AND seq = 1", (replay["id"],)
    ).fetchone() == (f"principal:{bob_id}",)
    with pytest.raises(psycopg.errors.CheckViolation, match="fixed at intake"):
        sql_conn.execute("UPDATE jobs SET replayed_by_id = NULL WHERE id = %s", (replay["id"],))


async def test_intake__records_the_keys_acl_groups_and_a_replay_keeps_the_originals(
    http, make_key, sql_conn
):
    alice = await make_key(tenant="acme", user="alice", groups=["support", "emea"])
    bob = await make_key(tenant="acme", user="bob", groups=["sales"])
    original = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(alice, "o"))
    ).json()

    replay = (await http.post(f"/v1/jobs/{original['id']}/replay", headers=auth(bob))).json()

    assert job_row(sql_conn, original["id"])["acl_groups"] == ["support", "emea"]
    assert job_row(sql_conn, replay["id"])["acl_groups"] == ["support", "emea"]  # it runs for alice


async def test_replay__of_an_unknown_job_is_404(http, make_key):
    key = await make_key()
    response = await http.post(f"/v1/jobs/{uuid.uuid4()}/replay", headers=auth(key))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_backfill__replays_on_the_low_priority_queue_and_twice_makes_no_more_jobs(
    http, make_key, sql_conn, database_url
):
    key = await make_key()
    ids = [
        (
            await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, f"b{i}"))
        ).json()["id"]
        for i in range(3)
    ]
    sql_conn.execute("UPDATE jobs SET state = 'cancelled' WHERE id = %s", (ids[0],))

    first = _courier(database_url, "backfill", "--kind", "email_reply", "--since", "2020-01-01")
    second = _courier(database_url, "backfill", "--kind", "email_reply", "--since", "2020-01-01")
    only_cancelled = _courier(
        database_url,
        "backfill",
        "--kind",
        "email_reply",
        "--since",
        "2020-01-01",
        "--state",
        "cancelled",
        "--batch",
        "again",
    )

    assert first.returncode == second.returncode == only_cancelled.returncode == 0
    assert "3/3" in first.stderr and "3 replays queued" in first.stderr
    assert "0 replays queued" in second.stderr and "3 already replayed" in second.stderr
    assert "1 replays queued" in only_cancelled.stderr
    replays = sql_conn.execute(
        "SELECT j.replay_of, j.queue, j.priority, p.queue_name, p.priority FROM jobs j "
        "JOIN procrastinate_jobs p ON p.id = j.queue_job_id WHERE j.replay_of IS NOT NULL "
        "ORDER BY j.id"
    ).fetchall()
    assert sorted(str(r[0]) for r in replays) == sorted(ids + [ids[0]])
    assert {r[1:] for r in replays} == {("backfill", -100, "backfill", -100)}


async def test_backfill__a_tenant_cannot_pre_empt_its_replays_with_idempotency_keys(
    http, make_key, sql_conn, database_url
):
    key = await make_key(tenant="acme", user="alice")
    ids = [
        (
            await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, f"p{i}"))
        ).json()["id"]
        for i in range(3)
    ]
    # The tenant takes the Idempotency-Keys a backfill of the current prompt version
    # gave its replays (backfill:<batch>:<original id>) before the backfill runs.
    batch = "email_reply/v2"
    taken = await http.post(
        "/v1/jobs",
        json=email_reply_request("Else?"),
        headers=auth(key, f"backfill:{batch}:{ids[0]}"),
    )
    own_replay = await http.post(
        f"/v1/jobs/{ids[1]}/replay", headers=auth(key, f"backfill:{batch}:{ids[1]}")
    )
    assert (taken.status_code, own_replay.status_code) == (202, 202)
    originals = {*ids, taken.json()["id"]}

    run = _courier(database_url, "backfill", "--kind", "email_reply", "--since", "2020-01-01")

    assert run.returncode == 0, run.stderr
    assert "4 replays queued" in run.stderr
    replays = sql_conn.execute(
        "SELECT replay_of::text, backfill_batch, replayed_by, queue FROM job_history "
        "WHERE backfill_batch IS NOT NULL"
    ).fetchall()
    assert {r[0] for r in replays} == originals and len(replays) == 4
    assert {r[1:] for r in replays} == {(batch, None, "backfill")}
    listed = (await http.get("/v1/jobs", headers=auth(key))).json()["items"]
    backfilled = [job for job in listed if job["priority"] == -100]
    assert len(backfilled) == 4 and {job["replayed_by"] for job in backfilled} == {None}


async def test_backfill__a_replay_another_run_is_still_making_is_skipped_and_the_run_goes_on(
    db, job_factory, database_url
):
    originals = [(await job_factory(tenant="acme"))["id"] for _ in range(3)]
    # Another run of the same batch has inserted the first original's replay and not committed.
    with psycopg.connect(database_url) as other_run:
        other_run.execute(
            "INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key, "
            "request_hash, expires_at, replay_of, backfill_batch) "
            "SELECT tenant_id, requester_id, kind, input, 'other-run', 'h', "
            "now() + interval '1 hour', id, 'b1' FROM jobs WHERE id = %s",
            (originals[0],),
        )
        async with job_service(db, idempotency_wait=timedelta(milliseconds=100)) as service:
            progress = await service.backfill(
                kind="email_reply",
                since=datetime(2020, 1, 1, tzinfo=UTC),
                state=None,
                batch="b1",
                queue="backfill",
                priority=-100,
            )
        other_run.rollback()

    assert (progress.seen, progress.created, progress.existing, progress.skipped) == (3, 2, 0, 1)
    async with job_service(db) as service:
        again = await service.backfill(
            kind="email_reply",
            since=datetime(2020, 1, 1, tzinfo=UTC),
            state=None,
            batch="b1",
            queue="backfill",
            priority=-100,
        )
    assert (again.created, again.existing, again.skipped) == (1, 2, 0)


async def test_backfill__errors_are_one_line_on_stderr(database_url):
    unknown = _courier(database_url, "backfill", "--kind", "nope", "--since", "2020-01-01")
    assert unknown.returncode == 1
    assert unknown.stderr.strip().count("\n") == 0 and "unknown kind 'nope'" in unknown.stderr


async def _finished(http, key, job_id):
    job = (await http.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()
    return job if job["state"] in {"succeeded", "failed", "cancelled", "expired"} else None


def _courier(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "COURIER_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
