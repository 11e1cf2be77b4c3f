"""The job lifecycle is enforced by the database: what a DBA types in psql obeys it too."""

from __future__ import annotations

import uuid

import psycopg
import pytest

TERMINAL = ["succeeded", "failed", "cancelled", "expired"]


def _move(conn: psycopg.Connection, job_id: uuid.UUID, state: str) -> None:
    extra = {
        "running": ", lease = gen_random_uuid(), attempt = attempt + 1",
        "succeeded": ", result = '{\"ok\": true}'",
        "needs_review": ", held_result = '{\"ok\": true}'",
        "failed": ', error = \'{"code": "x", "message": "y"}\'',
    }.get(state, "")
    conn.execute(f"UPDATE jobs SET state = %s {extra} WHERE id = %s", (state, job_id))  # type: ignore[arg-type]


def _events(conn: psycopg.Connection, job_id: uuid.UUID) -> list[tuple]:
    return conn.execute(
        "SELECT seq, type, state::text, attempt FROM job_events WHERE job_id = %s ORDER BY seq",
        (job_id,),
    ).fetchall()


@pytest.mark.parametrize(
    "path",
    [
        ["running", "succeeded"],
        ["running", "needs_review", "succeeded"],
        ["running", "needs_review", "failed"],
        ["running", "failed"],
        ["running", "queued", "running", "succeeded"],
        ["running", "cancelled"],
        ["running", "expired"],
        ["cancelled"],
        ["expired"],
    ],
)
def test_legal_paths__each_change_appends_one_gapless_event(sql_conn, job_id, path):
    for state in path:
        _move(sql_conn, job_id, state)
    events = _events(sql_conn, job_id)
    assert [e[0] for e in events] == list(range(1, len(path) + 2))
    assert [e[2] for e in events] == ["queued", *path]
    version, finished = sql_conn.execute(
        "SELECT version, finished_at FROM jobs WHERE id = %s", (job_id,)
    ).fetchone()
    assert version == len(path) + 1
    assert (finished is not None) == (path[-1] in TERMINAL)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "succeeded"),
        ([], "failed"),
        ([], "needs_review"),
        (["running", "succeeded"], "running"),
        (["running", "succeeded"], "failed"),
        (["running", "failed"], "succeeded"),
        (["cancelled"], "queued"),
        (["expired"], "running"),
        (["running", "needs_review"], "cancelled"),
    ],
)
def test_illegal_transition__typed_in_psql_fails_with_named_error(sql_conn, job_id, path, illegal):
    for state in path:
        _move(sql_conn, job_id, state)
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        _move(sql_conn, job_id, illegal)
    assert raised.value.diag.constraint_name == "job_state_transition"
    assert "illegal job state transition" in str(raised.value)
    assert len(_events(sql_conn, job_id)) == len(path) + 1


def test_job_events__are_append_only(sql_conn, job_id):
    for statement in ("UPDATE job_events SET type = 'x'", "DELETE FROM job_events"):
        with pytest.raises(psycopg.errors.CheckViolation) as raised:
            sql_conn.execute(statement)
        assert raised.value.diag.constraint_name == "job_events_append_only"


def test_jobs__cannot_be_deleted(sql_conn, job_id):
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute("DELETE FROM jobs WHERE id = %s", (job_id,))
    assert raised.value.diag.constraint_name == "jobs_history_kept"


def test_terminal_job__cannot_change_its_result_or_error(sql_conn, job_id):
    _move(sql_conn, job_id, "running")
    _move(sql_conn, job_id, "succeeded")
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute("UPDATE jobs SET result = '{\"other\": 1}' WHERE id = %s", (job_id,))
    assert raised.value.diag.constraint_name == "job_terminal_immutable"
    with pytest.raises(psycopg.errors.CheckViolation):
        sql_conn.execute("UPDATE jobs SET model = 'forged' WHERE id = %s", (job_id,))


def test_running_job__needs_a_lease(sql_conn, job_id):
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute("UPDATE jobs SET state = 'running', attempt = 1 WHERE id = %s", (job_id,))
    assert raised.value.diag.constraint_name in {"jobs_running_has_lease", "job_lease_per_attempt"}


def test_new_lease__must_start_a_new_attempt(sql_conn, job_id):
    _move(sql_conn, job_id, "running")
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute("UPDATE jobs SET lease = gen_random_uuid() WHERE id = %s", (job_id,))
    assert raised.value.diag.constraint_name == "job_lease_per_attempt"


def test_who_asked_for_what__is_fixed(sql_conn, job_id):
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute("UPDATE jobs SET kind = 'other' WHERE id = %s", (job_id,))
    assert raised.value.diag.constraint_name == "job_identity_immutable"


@pytest.mark.parametrize("groups", [["admins"], None])
def test_acl_groups_it_was_submitted_with__are_fixed(sql_conn, job_id, groups):
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute("UPDATE jobs SET acl_groups = %s WHERE id = %s", (groups, job_id))
    assert raised.value.diag.constraint_name == "job_identity_immutable"


def test_job_must_start_queued(sql_conn, job_id):
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute(
            "INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key, "
            "request_hash, state, expires_at) "
            "SELECT tenant_id, requester_id, kind, input, 'other-key', 'h', 'succeeded', "
            "expires_at FROM jobs WHERE id = %s",
            (job_id,),
        )
    assert raised.value.diag.constraint_name == "job_state_transition"


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        ("TRUNCATE job_events", "job_events_append_only"),
        ("TRUNCATE jobs CASCADE", "jobs_history_kept"),
    ],
)
def test_history__cannot_be_truncated(sql_conn, job_id, statement, constraint):
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        sql_conn.execute(statement)
    assert raised.value.diag.constraint_name == constraint
    assert len(_events(sql_conn, job_id)) == 1


@pytest.mark.parametrize("seq", [1, 2, 7])
def test_job_event__forged_by_hand_is_refused(sql_conn, job_id, seq):
    with pytest.raises(psycopg.errors.IntegrityError) as raised:
        sql_conn.execute(
            "INSERT INTO job_events (job_id, seq, tenant_id, type, state, attempt, actor) "
            "SELECT id, %s, tenant_id, 'succeeded', 'succeeded', 1, 'dba' FROM jobs WHERE id = %s",
            (seq, job_id),
        )
    assert raised.value.diag.constraint_name in {"job_events_seq_gapless", "job_events_pkey"}
    assert len(_events(sql_conn, job_id)) == 1
