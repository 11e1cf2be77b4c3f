"""Server-sent events over one LISTEN connection per API process: order, resume,
fan-out to many clients, and no loss when the LISTEN connection is killed. Hostile
tokens and Last-Event-IDs are 4xx problems; streams are capped; stream links follow
the key that made them and survive a rotation of their secret."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import httpx
import pytest

from app.delivery.links import rotate_stream_secret
from app.keys.service import KeyService
from tests.support.jobs import advance
from tests.support.requests import auth, email_reply_request
from tests.support.streams import read_stream, sse_messages
from tests.support.waiting import wait_for


async def _submit(http, key: str, idempotency_key: str = "k") -> dict:
    response = await http.post(
        "/v1/jobs", json=email_reply_request(), headers=auth(key, idempotency_key)
    )
    assert response.status_code == 202
    return response.json()


async def test_job_stream__sends_events_in_order_and_resumes_after_last_event_id(
    http, make_key, sql_conn
):
    key = await make_key()
    job = await _submit(http, key)
    url = f"/v1/jobs/{job['id']}/events"
    headers = {"Accept": "text/event-stream", **auth(key)}
    async with http.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/event-stream"
        )
        messages = sse_messages(response)
        opening = await anext(messages)
        assert (
            opening.retry is not None and opening.data is None
        )  # retry: first, as a comment message
        first = await anext(messages)
        assert (first.id, first.data["seq"], first.data["state"]) == ("1", 1, "queued")
        advance(sql_conn, job["id"], "running")
        second = await anext(messages)
        assert (second.id, second.data["state"], second.data["type"]) == (
            "2",
            "running",
            "job.running",
        )
    # Disconnected after event 2; the job finishes meanwhile.
    advance(sql_conn, job["id"], "succeeded")

    resumed = await read_stream(http, url, {**auth(key), "Last-Event-ID": "2"})

    assert [(m.id, m.data["state"]) for m in resumed] == [
        ("3", "succeeded")
    ]  # then the stream ended
    finished = await http.get(url, headers={**headers, "Last-Event-ID": "3"})
    assert finished.status_code == 204  # nothing left: an EventSource stops reconnecting
    history = (await http.get(url, headers=auth(key))).json()["events"]
    assert [e["seq"] for e in history] == [1, 2, 3]  # JSON history unchanged for application/json


async def test_job_stream__200_concurrent_clients_on_one_process_each_get_every_event(
    api, make_key, sql_conn
):
    key = await make_key()
    limits = httpx.Limits(max_connections=250, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=api, timeout=60, limits=limits) as client:
        job = await _submit(client, key)
        url = f"/v1/jobs/{job['id']}/events"
        opened = 0

        async def watch() -> list[int]:
            nonlocal opened
            seqs = []
            async with client.stream(
                "GET", url, headers={"Accept": "text/event-stream", **auth(key)}
            ) as response:
                async for message in sse_messages(response):
                    if message.data is None:
                        opened += 1
                        continue
                    seqs.append(message.data["seq"])
            return seqs

        watchers = [asyncio.create_task(watch()) for _ in range(200)]

        async def all_open() -> bool:
            return opened == 200

        await wait_for(all_open, what="200 streams to open")
        advance(sql_conn, job["id"], "running")
        advance(sql_conn, job["id"], "succeeded")
        results = await asyncio.wait_for(asyncio.gather(*watchers), 120)

    assert results == [[1, 2, 3]] * 200
    listeners = sql_conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'courier-sse'"
    ).fetchone()[0]
    assert listeners == 1  # one LISTEN connection for the whole process, not one per client


async def test_job_stream__no_event_is_lost_when_the_listen_connection_is_terminated(
    http, make_key, sql_conn
):
    key = await make_key()
    job = await _submit(http, key)
    url = f"/v1/jobs/{job['id']}/events"

    def listener_pid() -> int | None:
        row = sql_conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'courier-sse'"
        ).fetchone()
        return row[0] if row else None

    async with http.stream(
        "GET", url, headers={"Accept": "text/event-stream", **auth(key)}
    ) as response:
        messages = sse_messages(response)
        seqs = []
        async for message in messages:
            if message.data is not None:
                seqs.append(message.data["seq"])
                break
        killed = listener_pid()
        assert killed is not None
        sql_conn.execute("SELECT pg_terminate_backend(%s)", (killed,))
        # Events committed while nobody listens.
        advance(sql_conn, job["id"], "running")
        advance(sql_conn, job["id"], "succeeded")
        async for message in messages:
            if message.data is not None:
                seqs.append(message.data["seq"])

    assert seqs == [1, 2, 3]

    async def reopened():
        pid = listener_pid()
        return pid is not None and pid != killed

    await wait_for(reopened, what="a new LISTEN connection")


async def test_job_stream__token_link_opens_without_api_key_for_its_job_only(
    http, make_key, sql_conn
):
    key = await make_key()
    job = await _submit(http, key, "a")
    other = await _submit(http, key, "b")
    link = job["links"]["events"]
    token = link.split("token=")[1]
    advance(sql_conn, job["id"], "running")
    advance(sql_conn, job["id"], "failed")

    received = await read_stream(http, link, {})

    assert [m.data["state"] for m in received] == ["queued", "running", "failed"]
    refused = await http.get(f"/v1/jobs/{other['id']}/events?token={token}")
    assert refused.status_code == 404
    forged = await http.get(f"{link}x")
    assert (
        forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
    )
    stranger = await make_key()
    assert (
        await http.get(f"/v1/jobs/{job['id']}/events", headers=auth(stranger))
    ).status_code == 404
    bad_resume = await http.get(
        link, headers={"Accept": "text/event-stream", "Last-Event-ID": "abc"}
    )
    assert bad_resume.status_code == 400


async def test_tenant_stream__sends_the_tenants_events_filtered_by_state_and_resumes(
    http, make_key, sql_conn
):
    key = await make_key()
    other_tenant = await make_key()
    headers = {"Accept": "text/event-stream", **auth(key)}
    job = await _submit(http, key, "a")
    await _submit(http, other_tenant, "x")
    async with http.stream("GET", "/v1/events?state=succeeded", headers=headers) as response:
        messages = sse_messages(response)
        assert (await anext(messages)).data is None
        advance(sql_conn, job["id"], "running")
        advance(sql_conn, job["id"], "succeeded")
        message = await anext(messages)
        while message.data is None:
            message = await anext(messages)
    assert (message.data["job_id"], message.data["state"], message.data["kind"]) == (
        job["id"],
        "succeeded",
        "email_reply",
    )

    second = await _submit(http, key, "b")
    advance(sql_conn, second["id"], "running")
    advance(sql_conn, second["id"], "succeeded")
    async with http.stream(
        "GET", "/v1/events", headers={**headers, "Last-Event-ID": message.id}
    ) as response:
        resumed = []
        async for m in sse_messages(response):
            if m.data is not None:
                resumed.append((m.data["job_id"], m.data["seq"]))
                if len(resumed) == 3:
                    break
    assert resumed == [(second["id"], 1), (second["id"], 2), (second["id"], 3)]

    # A dashboard in a browser opens a short-lived link instead of sending the key.
    link = (await http.post("/v1/events/links", headers=auth(key))).json()["url"]
    async with http.stream("GET", link, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200
    job_link = job["links"]["events"]
    refused = await http.get(
        "/v1/events?" + job_link.split("?")[1], headers={"Accept": "text/event-stream"}
    )
    assert refused.status_code == 401  # a job's link does not open the tenant-wide stream


def _is_problem(response: httpx.Response, status: int) -> bool:
    return (
        response.status_code == status
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["status"] == status
    )


@pytest.mark.parametrize(
    "token",
    [
        "é",  # non-ASCII
        "abc.é",
        "abc.d\u00e9f",
        "0123456789ab.e30.é" + "a" * 42,
        "0123456789ab.e30." + "a" * 43,  # well-formed, signed by no secret we know
        "a.b.c.d",
        "x" * 5000,
        "%00",
        "",
    ],
)
async def test_stream_links__a_malformed_or_non_ascii_token_is_a_401_problem(http, make_key, token):
    key = await make_key()
    job = await _submit(http, key)
    for path in (f"/v1/jobs/{job['id']}/events", "/v1/events"):
        response = await http.get(
            path, params={"token": token}, headers={"Accept": "text/event-stream"}
        )
        assert _is_problem(response, 401), (path, response.status_code, response.text[:200])


def _raw_header(value: str) -> bytes:
    """The bytes a client sends for ``value`` (servers read header bytes as Latin-1)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


@pytest.mark.parametrize(
    "last_event_id",
    ["²", "١", "+1", "-1", "0x1", "1e3", "9" * 10, "4"],  # "4": past the job's last event
)
async def test_job_stream__a_last_event_id_that_does_not_fit_is_a_400_before_the_stream_starts(
    http, make_key, last_event_id
):
    key = await make_key()
    job = await _submit(http, key)
    async with http.stream(
        "GET",
        f"/v1/jobs/{job['id']}/events",
        headers={
            "Accept": "text/event-stream",
            "Last-Event-ID": _raw_header(last_event_id),
            **auth(key),
        },
    ) as response:
        await response.aread()
    assert _is_problem(response, 400), (response.status_code, response.text[:200])


@pytest.mark.parametrize(
    "last_event_id",
    [
        "99999999999999999999.1",  # past any xid the database has assigned (or can: xid8)
        "1.9999999999999999999",  # past a bigint
        "١.1",  # non-ASCII digits
        "1.²",
        "1",
        "1.2.3",
    ],
)
async def test_tenant_stream__a_last_event_id_that_does_not_fit_is_a_400_before_the_stream_starts(
    http, make_key, last_event_id
):
    key = await make_key()
    async with http.stream(
        "GET",
        "/v1/events",
        headers={
            "Accept": "text/event-stream",
            "Last-Event-ID": _raw_header(last_event_id),
            **auth(key),
        },
    ) as response:
        await response.aread()
    assert _is_problem(response, 400), (response.status_code, response.text[:200])


async def test_streams__past_a_cap_are_refused_with_a_problem_and_retry_after(
    few_streams, http, make_key
):
    # few_streams: 4 per API process, 2 per tenant, 1 tenant-wide per tenant.
    key, other, third = await make_key(), await make_key(), await make_key()
    job = await _submit(http, key, "a")
    other_job = await _submit(http, other, "b")
    third_job = await _submit(http, third, "c")
    headers = {"Accept": "text/event-stream"}

    async with contextlib.AsyncExitStack() as streams:

        async def open_stream(path: str, as_key: str) -> httpx.Response:
            response = await streams.enter_async_context(
                http.stream("GET", path, headers={**headers, **auth(as_key)})
            )
            if response.status_code != 200:
                await response.aread()
            return response

        first = await open_stream(f"/v1/jobs/{job['id']}/events", key)
        assert first.status_code == 200
        assert (await open_stream("/v1/events", key)).status_code == 200
        refused = await open_stream(f"/v1/jobs/{job['id']}/events", key)
        assert _is_problem(refused, 429) and refused.headers["retry-after"] == "7"

        assert (await open_stream("/v1/events", other)).status_code == 200
        refused = await open_stream("/v1/events?state=succeeded", other)
        assert _is_problem(refused, 429) and refused.headers["retry-after"] == "7"
        assert (await open_stream(f"/v1/jobs/{other_job['id']}/events", other)).status_code == 200

        refused = await open_stream(f"/v1/jobs/{third_job['id']}/events", third)
        assert _is_problem(refused, 503) and refused.headers["retry-after"] == "7"

        # A stream that ends gives its place back.
        await first.aclose()

        async def reopened() -> bool:
            async with http.stream(
                "GET", f"/v1/jobs/{third_job['id']}/events", headers={**headers, **auth(third)}
            ) as stream:
                return stream.status_code == 200

        await wait_for(reopened, what="the closed stream's place to be given back")


async def _until_it_ends(response: httpx.Response) -> None:
    async for _ in response.aiter_lines():
        pass


async def test_stream_links__stop_working_and_their_streams_end_when_the_key_is_revoked(
    http, make_key, admin_db, sql_conn
):
    key = await make_key(tenant="acme", user="alice")
    colleague = await make_key(tenant="acme", user="bob")
    job = await _submit(http, key)
    job_link = job["links"]["events"]
    tenant_link = (await http.post("/v1/events/links", headers=auth(key))).json()["url"]
    headers = {"Accept": "text/event-stream"}
    async with contextlib.AsyncExitStack() as stack:
        ending = [
            await stack.enter_async_context(http.stream("GET", url, headers={**headers, **h}))
            for url, h in [
                (job_link, {}),
                (tenant_link, {}),
                (f"/v1/jobs/{job['id']}/events", auth(key)),
                ("/v1/events", auth(key)),
            ]
        ]
        staying = await stack.enter_async_context(
            http.stream("GET", "/v1/events", headers={**headers, **auth(colleague)})
        )
        assert all(r.status_code == 200 for r in [*ending, staying])
        staying_messages = sse_messages(staying)
        assert (await anext(staying_messages)).comment == "courier tenant events"

        await KeyService(admin_db).revoke(key)

        # Every stream of the revoked key ends within 10 s; the colleague's goes on.
        await asyncio.wait_for(asyncio.gather(*(_until_it_ends(r) for r in ending)), 10)
        advance(sql_conn, job["id"], "running")
        message = await anext(staying_messages)
        while message.data is None:
            message = await anext(staying_messages)
        assert message.data["job_id"] == job["id"]

    for link in (job_link, tenant_link):
        refused = await http.get(link, headers=headers)
        assert _is_problem(refused, 401)
    fresh = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(colleague))).json()
    assert (await http.get(fresh["links"]["events"])).status_code == 200


def _kid(link: str) -> str:
    return link.split("token=")[1].split(".")[0]


async def test_stream_secret_rotation__keeps_live_links_working_for_the_overlap(
    http, make_key, admin_db
):
    key = await make_key()
    job = await _submit(http, key)
    old_link = job["links"]["events"]

    async def link_signed_after(link: str) -> str | None:
        fresh = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()
        return fresh["links"]["events"] if _kid(fresh["links"]["events"]) != _kid(link) else None

    await rotate_stream_secret(admin_db, timedelta(hours=1))
    new_link = await wait_for(lambda: link_signed_after(old_link), what="the new secret to sign")

    # Both work: the old secret verifies until the overlap ends.
    for link in (old_link, new_link):
        assert (await http.get(link)).status_code == 200, link

    await rotate_stream_secret(admin_db, timedelta(0))  # a leaked secret: no overlap
    newest = await wait_for(lambda: link_signed_after(new_link), what="the newest secret")

    for link in (old_link, new_link):
        assert _is_problem(await http.get(link), 401), link
    assert (await http.get(newest)).status_code == 200
