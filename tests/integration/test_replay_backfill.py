"""Replay and backfill make new jobs linked by replay_of; originals never change."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.support.jobs import job_row
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
    assert done["state"] == "succeeded" and done["prompt_version"] == "email_reply/1"
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
