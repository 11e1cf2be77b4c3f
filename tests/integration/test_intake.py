"""POST /v1/jobs: validation, idempotency and atomic intake, over real HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.client_input import MAX_JSON_DEPTH
from tests.support.requests import auth, email_reply_request

PROBLEM = "application/problem+json"


async def _count(db, table: str = "jobs") -> int:
    query = {
        "jobs": "SELECT count(*) FROM jobs",
        "queue": "SELECT count(*) FROM procrastinate_jobs",
    }[table]
    async with db.pool.connection() as conn:
        return (await (await conn.execute(query)).fetchone())[0]


async def test_intake__answers_202_with_location_links_and_queued_job(http, make_key, db):
    key = await make_key()
    response = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k1"))
    assert response.status_code == 202
    job = response.json()
    assert job["state"] == "queued" and job["attempt"] == 0 and job["kind"] == "email_reply"
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["links"]["self"] == f"/v1/jobs/{job['id']}"
    # The events link carries a read-only stream token, so a browser's EventSource can open it.
    assert job["links"]["events"].startswith(f"/v1/jobs/{job['id']}/events?token=")
    assert job["links"]["cancel"] == f"/v1/jobs/{job['id']}/cancel"
    assert job["links"]["replay"] == f"/v1/jobs/{job['id']}/replay"
    assert response.headers["etag"] == f'"{job["version"]}"'
    async with db.pool.connection() as conn:
        queued = await (
            await conn.execute(
                "SELECT j.queue_job_id = q.id, q.status::text, q.args->>'job_id' FROM jobs j "
                "JOIN procrastinate_jobs q ON q.id = j.queue_job_id WHERE j.id = %s",
                (job["id"],),
            )
        ).fetchone()
    assert queued == (True, "todo", job["id"])
    async with db.pool.connection() as conn:
        actor = await (
            await conn.execute("SELECT actor FROM job_events WHERE job_id = %s", (job["id"],))
        ).fetchone()
    assert actor[0].startswith("principal:")


async def test_intake__same_key_same_body_returns_the_original_job(http, make_key, db):
    key = await make_key()
    first = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "same"))
    again = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "same"))
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert await _count(db) == 1 and await _count(db, "queue") == 1


async def test_intake__same_key_different_body_is_422(http, make_key, db):
    key = await make_key()
    await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k"))
    response = await http.post(
        "/v1/jobs", json=email_reply_request("Another question?"), headers=auth(key, "k")
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:courier:problem:idempotency-key-reused"
    assert await _count(db) == 1


async def test_intake__20_concurrent_identical_requests_make_exactly_one_job(http, make_key, db):
    key = await make_key()
    responses = await asyncio.gather(
        *[
            http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "burst"))
            for _ in range(20)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [202]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _count(db) == 1 and await _count(db, "queue") == 1


async def test_intake__same_key_in_two_tenants_makes_two_jobs(http, make_key, db):
    a, b = await make_key(), await make_key()
    ra = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(a, "shared"))
    rb = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(b, "shared"))
    assert (ra.status_code, rb.status_code) == (202, 202) and ra.json()["id"] != rb.json()["id"]


@pytest.mark.parametrize("header", [None, "", "x" * 256, "has space", "non-ascii-é"])
async def test_intake__missing_or_bad_idempotency_key_is_400_explaining_it(
    http, make_key, db, header
):
    key = await make_key()
    headers = auth(key)
    if header is not None:
        headers["Idempotency-Key"] = header.encode()  # type: ignore[assignment]
    response = await http.post("/v1/jobs", json=email_reply_request(), headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert (
        "Idempotency-Key" in problem["detail"] and "unchanged when you retry" in problem["detail"]
    )
    assert problem.get("errors", [{"field": "Idempotency-Key"}])[0]["field"] == "Idempotency-Key"
    assert await _count(db) == 0


async def test_intake__unknown_kind_is_422_naming_kind(http, make_key, db, job_kinds):
    key = await make_key()
    response = await http.post(
        "/v1/jobs", json=email_reply_request(kind="poem"), headers=auth(key, "k")
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "kind", "message": f"must be one of: {', '.join(sorted(job_kinds))}"}
    ]
    assert {"email_reply", "llm_echo", "sleepy"} <= set(job_kinds)
    assert await _count(db) == 0


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["input"].pop("question"), "input.question"),
        (lambda b: b["input"]["thread"][1].update(sent_at="yesterday"), "input.thread.1.sent_at"),
        (lambda b: b["input"].update(tone="angry"), "input.tone"),
        (lambda b: b["input"].update(thread=[]), "input.thread"),
        (lambda b: b["input"].update(surprise=1), "input.surprise"),
    ],
)
async def test_intake__invalid_input_is_422_naming_the_field(http, make_key, db, mutate, field):
    key = await make_key()
    body = email_reply_request()
    mutate(body)
    response = await http.post("/v1/jobs", json=body, headers=auth(key, "k"))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in problem["errors"]]
    assert await _count(db) == 0


async def test_intake__invalid_input_error_never_echoes_the_value(http, make_key):
    key = await make_key()
    body = email_reply_request()
    body["input"]["tone"] = "secret-customer-data"
    response = await http.post("/v1/jobs", json=body, headers=auth(key, "k"))
    assert response.status_code == 422
    assert "secret-customer-data" not in response.text


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"priority": 1000}, 422),
        ({"expires_in": 0}, 422),
        ({"expires_in": 10**9}, 422),
        ({"callback_url": "not a url"}, 422),
        ({"extra_field": 1}, 422),
        ({"input": "text"}, 422),
    ],
)
async def test_intake__invalid_envelope_is_4xx_problem(http, make_key, db, overrides, status):
    key = await make_key()
    response = await http.post(
        "/v1/jobs", json=email_reply_request(**overrides), headers=auth(key, "k")
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert await _count(db) == 0


async def test_intake__malformed_json_is_400(http, make_key, db):
    key = await make_key()
    response = await http.post(
        "/v1/jobs",
        content=b'{"kind": "email_reply", ',
        headers=auth(key, "k") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert await _count(db) == 0


async def test_intake__oversized_body_is_413(http, make_key, db, settings):
    key = await make_key()
    body = email_reply_request()
    body["input"]["thread"][0]["body"] = "x" * (settings.api.max_body_bytes + 10)
    response = await http.post("/v1/jobs", json=body, headers=auth(key, "k"))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert await _count(db) == 0


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nope", "Basic abc", "Bearer ck_00000000_" + "a" * 32]
)
async def test_intake__without_a_valid_key_is_401(http, db, authorization):
    headers = {"Idempotency-Key": "k"} | ({"Authorization": authorization} if authorization else {})
    response = await http.post("/v1/jobs", json=email_reply_request(), headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_intake__revoked_key_is_401(http, admin_db, make_key):
    from app.keys.service import KeyService

    key = await make_key()
    await KeyService(admin_db).revoke(key)
    response = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k"))
    assert response.status_code == 401


async def test_intake__a_key_it_keeps_in_memory_is_refused_once_revoked(
    hour_long_key_cache, http, admin_db, make_key
):
    from app.keys.service import KeyService
    from tests.support.waiting import wait_for

    key = await make_key()
    for n in range(2):  # looked up, then answered from the API process's cache
        response = await http.post(
            "/v1/jobs", json=email_reply_request(), headers=auth(key, f"k{n}")
        )
        assert response.status_code == 202
    await KeyService(admin_db).revoke(key)
    attempts = 0

    async def refused() -> bool:
        nonlocal attempts
        attempts += 1
        response = await http.post(
            "/v1/jobs", json=email_reply_request(), headers=auth(key, f"after-{attempts}")
        )
        return response.status_code == 401

    # The notification of the revocation, not the cache's hour, ends the cached answer.
    await wait_for(refused, timeout=10, interval=0.01, what="the revoked key refused")


async def test_intake__writes_nothing_when_the_queue_entry_fails(settings, db, make_key):
    """Job row, queued event and queue entry commit together or not at all."""
    from dataclasses import replace

    import httpx
    import uvicorn

    from app.http import create_app
    from app.serve import ApiServer, wait_started
    from tasks.kinds import KINDS

    # procrastinate_jobs.queue_name is varchar(128): a real database error inside the defer.
    kinds = {"email_reply": replace(KINDS["email_reply"], queue="q" * 200)}
    server = ApiServer(
        uvicorn.Config(create_app(settings, kinds), port=0, log_level="critical", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    await wait_started(server, task)
    try:
        key = await make_key()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            response = await client.post(
                "/v1/jobs", json=email_reply_request(), headers=auth(key, "k")
            )
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
    finally:
        server.should_exit = True
        await task
    async with db.pool.connection() as conn:
        counts = await (
            await conn.execute(
                "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM job_events), "
                "(SELECT count(*) FROM procrastinate_jobs)"
            )
        ).fetchone()
    assert counts == (0, 0, 0)


@pytest.mark.parametrize(
    ("text", "status"), [("nul\u0000byte", 422), ("lone \ud800 surrogate", 400)]
)
async def test_intake__text_postgres_cannot_store_is_4xx_not_500(http, make_key, db, text, status):
    key = await make_key()
    body = email_reply_request()
    body["input"]["thread"][0]["sender"] = text
    raw = json.dumps(body).encode()  # json.dumps escapes both as \u sequences, like a client would
    response = await http.post(
        "/v1/jobs", content=raw, headers=auth(key, "k") | {"Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    if status == 422:  # a lone surrogate is already malformed JSON (400)
        assert response.json()["errors"][0]["field"] == "input.thread.0.sender"
    assert await _count(db) == 0


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _with_member(member: str) -> bytes:
    """A valid intake body whose ``input`` has one more member, written as raw JSON."""
    body = json.dumps(email_reply_request())
    return body.replace('"question"', f'{member}, "question"', 1).encode()


@pytest.mark.parametrize(
    "raw",
    [
        _nested(100_000).encode(),  # past the decoder's own recursion limit
        _nested(MAX_JSON_DEPTH + 1).encode(),
        _with_member(f'"deep": {_nested(5000)}'),
        _with_member(f'"deep": {_nested(200)}'),  # decodes, then fails whatever walks it
        _with_member('"deep": ' + '{"a": ' * 3000 + "1" + "}" * 3000),
    ],
    ids=["whole-body-100k", "whole-body-limit+1", "input-member-5k", "input-member-200", "objects"],
)
async def test_intake__json_nested_too_deep_is_400_saying_the_limit_and_writes_nothing(
    http, make_key, db, raw
):
    key = await make_key()
    response = await http.post(
        "/v1/jobs", content=raw, headers=auth(key, "k") | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:courier:problem:json-too-deep"
    assert f"more than {MAX_JSON_DEPTH} levels" in problem["detail"]
    assert problem["max_depth"] == MAX_JSON_DEPTH
    assert await _count(db) == 0 and await _count(db, "queue") == 0


@pytest.mark.parametrize(
    "value", ["9223372036854775808", "-9223372036854775809", "1e23", "1e308", "2147483648"]
)
async def test_intake__expires_in_past_what_it_holds_is_422_naming_it_and_writes_nothing(
    http, make_key, db, value
):
    key = await make_key()
    raw = json.dumps(email_reply_request()).replace('"kind"', f'"expires_in": {value}, "kind"', 1)
    response = await http.post(
        "/v1/jobs",
        content=raw.encode(),
        headers=auth(key, "k") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == ["expires_in"]
    assert await _count(db) == 0 and await _count(db, "queue") == 0


@pytest.mark.parametrize(
    "headers",
    [{"Idempotency-Key": "k\x00"}, {"Idempotency-Key": "k", "X-Request-Note": "a\x00b"}],
    ids=["Idempotency-Key", "any-header"],
)
async def test_intake__header_with_nul_is_400_naming_it_also_behind_a_lenient_server(
    settings, job_kinds, make_key, db, headers
):
    """uvicorn refuses NUL in headers itself; another ASGI server may pass it on, so the
    app checks too (here in-process, with no HTTP parser in between)."""
    from litestar.testing import AsyncTestClient

    from app.http import create_app

    key = await make_key()
    async with AsyncTestClient(create_app(settings, job_kinds)) as client:
        response = await client.post(
            "/v1/jobs", json=email_reply_request(), headers=auth(key) | headers
        )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    [name] = [name for name, value in headers.items() if "\x00" in value]
    assert [e["field"] for e in response.json()["errors"]] == [name]
    assert await _count(db) == 0


async def test_intake__anonymous_caller_gets_401_before_any_validation(http, db):
    response = await http.post(
        "/v1/jobs", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_intake__empty_body_is_422_asking_for_a_json_object(http, make_key, db):
    key = await make_key()
    response = await http.post("/v1/jobs", headers=auth(key, "k"))
    assert response.status_code in (400, 422)
    assert response.json()["detail"] == "the request body must be a JSON object"
