"""Per-tenant rate limits at intake: a token bucket in PostgreSQL, 429 with Retry-After."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.settings import RateLimitSettings
from app.tenants.rate_limit import RateLimited, RateLimiter
from tests.support.requests import auth, email_reply_request

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _limit(sql_conn, tenant: str, *, per_second: float, burst: int) -> None:
    sql_conn.execute(
        "UPDATE tenants SET rate_limit_per_second = %s, rate_limit_burst = %s WHERE slug = %s",
        (per_second, burst, tenant),
    )


async def test_intake__over_the_tenants_limit_is_429_with_retry_after_and_writes_nothing(
    http, make_key, sql_conn
):
    key = await make_key(tenant="limited")
    other = await make_key(tenant="unlimited")
    # Refills one token per 1000 s: however slow this machine is, the third request finds none.
    _limit(sql_conn, "limited", per_second=0.001, burst=2)

    statuses = [
        (
            await http.post(
                "/v1/jobs", json=email_reply_request(), headers=auth(key, str(uuid.uuid4()))
            )
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in statuses] == [202, 202, 429]
    refused = statuses[2]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:courier:problem:rate-limited"
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 1000
    assert sql_conn.execute(
        "SELECT count(*) FROM jobs j JOIN tenants t ON t.id = j.tenant_id WHERE t.slug = 'limited'"
    ).fetchone() == (2,)

    # Another tenant has its own bucket.
    response = await http.post(
        "/v1/jobs", json=email_reply_request(), headers=auth(other, str(uuid.uuid4()))
    )
    assert response.status_code == 202


async def test_replay__is_admitted_like_intake_so_a_limited_tenant_cannot_loop_on_it(
    http, make_key, sql_conn
):
    key = await make_key(tenant="looping")
    _limit(sql_conn, "looping", per_second=0.001, burst=2)
    original = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "o"))
    ).json()
    replay = f"/v1/jobs/{original['id']}/replay"

    first = await http.post(replay, headers=auth(key, "r1"))
    refused = await http.post(replay, headers=auth(key))
    retry = await http.post(replay, headers=auth(key, "r1"))  # answered, not charged
    submission = await http.post(
        "/v1/jobs", json=email_reply_request(), headers=auth(key, "new")
    )  # one bucket for submissions and replays

    assert [r.status_code for r in (first, refused, retry, submission)] == [202, 429, 200, 429]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:courier:problem:rate-limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 1000
    assert retry.json()["id"] == first.json()["id"]
    assert sql_conn.execute(
        "SELECT count(*) FROM jobs j JOIN tenants t ON t.id = j.tenant_id WHERE t.slug = 'looping'"
    ).fetchone() == (2,)


async def test_replay__of_a_job_that_cannot_be_replayed_spends_no_token(http, make_key, sql_conn):
    key = await make_key(tenant="purged")
    _limit(sql_conn, "purged", per_second=0.001, burst=2)
    original = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "o"))
    ).json()
    sql_conn.execute(
        "UPDATE jobs SET input = NULL, purged_at = now() WHERE id = %s", (original["id"],)
    )
    unreplayable = await http.post(f"/v1/jobs/{original['id']}/replay", headers=auth(key))
    submission = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "n"))
    assert (unreplayable.status_code, submission.status_code) == (409, 202)


async def test_intake__invalid_request_spends_no_token(http, make_key, sql_conn):
    key = await make_key(tenant="careful")
    _limit(sql_conn, "careful", per_second=0.001, burst=1)
    bad = await http.post(
        "/v1/jobs", json=email_reply_request(input={}), headers=auth(key, str(uuid.uuid4()))
    )
    assert bad.status_code == 422
    good = await http.post(
        "/v1/jobs", json=email_reply_request(), headers=auth(key, str(uuid.uuid4()))
    )
    assert good.status_code == 202


async def test_intake__retry_of_an_existing_job_is_answered_even_when_limited(
    http, make_key, sql_conn
):
    key = await make_key(tenant="retrying")
    _limit(sql_conn, "retrying", per_second=0.001, burst=1)
    first = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "same"))
    retry = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "same"))
    other_body = await http.post(
        "/v1/jobs", json=email_reply_request("Other?"), headers=auth(key, "same")
    )
    new_key = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "new"))
    assert [r.status_code for r in (first, retry, other_body, new_key)] == [202, 200, 422, 429]
    assert retry.json()["id"] == first.json()["id"]


async def test_intake__retries_take_no_token(http, make_key, sql_conn):
    key = await make_key(tenant="patient")
    _limit(sql_conn, "patient", per_second=0.001, burst=2)
    first = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "once"))
    retries = [
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "once"))
        for _ in range(3)
    ]
    second = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "twice"))
    assert [r.status_code for r in (first, *retries, second)] == [202, 200, 200, 200, 202]


async def _tenant_id(admin_db, slug: str):
    return (await admin_db.fetch_one("tenant_ensure", slug=slug))["id"]


async def test_bucket__refills_at_the_rate_up_to_the_burst(db, admin_db):
    tenant_id = await _tenant_id(admin_db, "clocked")
    limiter = RateLimiter(db, RateLimitSettings(per_second=2.0, burst=3))
    for _ in range(3):
        await limiter.take(tenant_id, str(uuid.uuid4()), now=T0)
    with pytest.raises(RateLimited) as refused:
        await limiter.take(tenant_id, str(uuid.uuid4()), now=T0)
    assert refused.value.retry_after == 1  # half a second, rounded up to whole seconds

    await limiter.take(
        tenant_id, str(uuid.uuid4()), now=T0 + timedelta(seconds=0.5)
    )  # one token back
    with pytest.raises(RateLimited):
        await limiter.take(tenant_id, str(uuid.uuid4()), now=T0 + timedelta(seconds=0.5))
    # A long pause refills only up to the burst.
    for _ in range(3):
        await limiter.take(tenant_id, str(uuid.uuid4()), now=T0 + timedelta(hours=1))
    with pytest.raises(RateLimited):
        await limiter.take(tenant_id, str(uuid.uuid4()), now=T0 + timedelta(hours=1))


async def test_bucket__tenant_override_beats_the_default_and_zero_default_means_unlimited(
    db, admin_db, sql_conn
):
    strict = await _tenant_id(admin_db, "strict")
    free = await _tenant_id(admin_db, "free")
    sql_conn.execute(
        "UPDATE tenants SET rate_limit_per_second = 0.01, rate_limit_burst = 1 "
        "WHERE slug = 'strict'"
    )
    limiter = RateLimiter(db, RateLimitSettings(per_second=0, burst=1))
    for _ in range(50):
        await limiter.take(free, str(uuid.uuid4()), now=T0)
    await limiter.take(strict, str(uuid.uuid4()), now=T0)
    with pytest.raises(RateLimited) as refused:
        await limiter.take(strict, str(uuid.uuid4()), now=T0)
    assert refused.value.retry_after == 100


async def test_bucket__a_clock_stepping_back_refills_nothing(db, admin_db):
    tenant_id = await _tenant_id(admin_db, "skewed")
    limiter = RateLimiter(db, RateLimitSettings(per_second=1.0, burst=1))
    await limiter.take(tenant_id, str(uuid.uuid4()), now=T0)
    with pytest.raises(RateLimited):
        await limiter.take(tenant_id, str(uuid.uuid4()), now=T0 - timedelta(hours=1))
