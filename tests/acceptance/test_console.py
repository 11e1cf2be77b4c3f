"""The web console over real HTTP: sign-in and its session cookie, expiry, revocation,
CSRF, the reviewer-only queue, and escaping of hostile content."""

from __future__ import annotations

import hashlib
import re
import uuid

from app.console.session import COOKIE
from app.keys.service import KeyService
from tests.support.console import csrf_token, same_origin, sign_in
from tests.support.jobs import advance
from tests.support.requests import auth, email_reply_request
from tests.support.streams import SseMessage, sse_messages


async def test_console__sign_in_sets_a_strict_httponly_session_cookie(console, make_key):
    key = await make_key()
    answer = await sign_in(console, key)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/jobs"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert "path=/console" in cookie.lower()
    assert "secure" not in attributes  # plain http here; https adds Secure
    assert key not in cookie
    page = await console.get("/console/jobs")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert key not in page.text


async def test_console__session_stores_only_a_hash_of_its_token(console, make_key, sql_conn):
    await sign_in(console, await make_key())
    token = console.cookies[COOKIE]
    rows = sql_conn.execute("SELECT token_hash FROM console_sessions").fetchall()
    assert [bytes(r[0]) for r in rows] == [hashlib.sha256(token.encode()).digest()]


async def test_console__unknown_key_is_refused_and_pages_redirect_to_sign_in(console):
    answer = await sign_in(console, "ck_00000000_" + "A" * 32)
    assert answer.status_code == 401
    assert "unknown or revoked" in answer.text
    assert COOKIE not in console.cookies
    page = await console.get("/console/jobs")
    assert page.status_code == 303
    assert page.headers["location"] == "/console/sign-in"


async def test_console__sign_out_ends_the_session(console, make_key):
    await sign_in(console, await make_key())
    token = console.cookies[COOKIE]
    page = await console.get("/console/jobs")
    out = await console.post(
        "/console/sign-out",
        data={"csrf_token": csrf_token(page.text)},
        headers=same_origin(console),
    )
    assert out.status_code == 303
    console.cookies.set(COOKIE, token, path="/console")  # as if the cookie had been kept
    assert (await console.get("/console/jobs")).status_code == 303


async def test_console__an_expired_session_redirects_to_sign_in(console, make_key, sql_conn):
    await sign_in(console, await make_key())
    assert (await console.get("/console/jobs")).status_code == 200
    sql_conn.execute(
        "UPDATE console_sessions SET created_at = now() - interval '2 hours',"
        " expires_at = now() - interval '1 second'"
    )
    assert (await console.get("/console/jobs")).status_code == 303


async def test_console__revoking_the_key_ends_its_session_at_once(console, make_key, admin_db):
    key = await make_key()
    await sign_in(console, key)
    assert (await console.get("/console/jobs")).status_code == 200
    await KeyService(admin_db).revoke(key)  # as `courier keys revoke` does
    assert (await console.get("/console/jobs")).status_code == 303


async def test_console__a_cross_site_form_post_is_refused(console, make_key):
    key = await make_key()
    await sign_in(console, key)
    page = await console.get("/console/jobs")
    token = csrf_token(page.text)
    job = (
        await console.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "csrf"))
    ).json()
    cross_site = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    # Even with the right token, a post another site's page made is refused ...
    answer = await console.post(
        f"/console/jobs/{job['id']}/cancel", data={"csrf_token": token}, headers=cross_site
    )
    assert answer.status_code == 403
    # ... and so is a same-origin post without the session's token.
    answer = await console.post(
        f"/console/jobs/{job['id']}/cancel", data={}, headers=same_origin(console)
    )
    assert answer.status_code == 403
    state = (await console.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()["state"]
    assert state == "queued"
    answer = await console.post(
        f"/console/jobs/{job['id']}/cancel",
        data={"csrf_token": token},
        headers=same_origin(console),
    )
    assert answer.status_code == 303
    state = (await console.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()["state"]
    assert state == "cancelled"


async def test_console__a_cross_site_sign_in_is_refused(console, make_key):
    answer = await console.post(
        "/console/sign-in",
        data={"key": await make_key()},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403
    assert COOKIE not in console.cookies


async def test_console__hostile_job_content_renders_inert(console, make_key):
    key = await make_key()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    job = (
        await console.post(
            "/v1/jobs", json=email_reply_request(question=hostile), headers=auth(key, "xss")
        )
    ).json()
    await sign_in(console, key)
    page = await console.get(f"/console/jobs/{job['id']}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    # Shown, but as text: JSON-escaped inside <pre>, HTML-escaped elsewhere.
    assert "\\u003cscript\\u003e" in page.text or "&lt;script&gt;" in page.text


async def test_console__over_https_the_session_cookie_is_secure(console, make_key):
    # Behind a TLS-terminating proxy on loopback (uvicorn trusts its X-Forwarded-Proto).
    origin = str(console.base_url).rstrip("/").replace("http://", "https://")
    answer = await console.post(
        "/console/sign-in",
        data={"key": await make_key()},
        headers={"X-Forwarded-Proto": "https", "Origin": origin, "Sec-Fetch-Site": "same-origin"},
    )
    assert answer.status_code == 303
    assert "secure" in {part.strip().lower() for part in answer.headers["set-cookie"].split(";")}


async def test_console__review_queue_and_decisions_are_refused_without_the_reviewer_role(
    console, make_key
):
    await sign_in(console, await make_key())
    page = await console.get("/console/jobs")
    assert 'href="/console/reviews"' not in page.text
    assert 'href="/console/costs"' in page.text
    assert (await console.get("/console/reviews")).status_code == 403
    for action, fields in [("approve", {}), ("reject", {"reason": "no"})]:
        answer = await console.post(
            f"/console/reviews/{uuid.uuid4()}/{action}",
            data={"csrf_token": csrf_token(page.text), **fields},
            headers=same_origin(console),
        )
        assert answer.status_code == 403


async def test_console__a_reviewer_sees_the_queue_entry(console, make_key):
    await sign_in(console, await make_key(roles=["reviewer"]))
    page = await console.get("/console/jobs")
    assert 'href="/console/reviews"' in page.text
    assert (await console.get("/console/reviews")).status_code == 200


async def test_console__the_live_stream_resumes_from_the_page_and_from_last_event_id(
    console, make_key, sql_conn
):
    key = await make_key()
    await sign_in(console, key)
    since = re.search(r'data-since="([^"]+)"', (await console.get("/console/jobs")).text)[1]
    # Submitted after the page read its rows, before its script connected: not missed.
    job = (
        await console.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "r"))
    ).json()
    first = await _first_event(console, f"/console/events?after={since}", {})
    assert (first.data["job_id"], first.data["state"]) == (job["id"], "queued")
    advance(sql_conn, job["id"], "running")
    # A reconnect: EventSource sends Last-Event-ID, which wins over the page's position.
    again = await _first_event(
        console, f"/console/events?after={since}", {"Last-Event-ID": first.id}
    )
    assert (again.data["job_id"], again.data["seq"], again.data["state"]) == (
        job["id"],
        2,
        "running",
    )


async def _first_event(client, url: str, headers: dict[str, str]) -> SseMessage:
    async with client.stream("GET", url, headers=headers) as answer:
        assert answer.status_code == 200
        async for message in sse_messages(answer):
            if message.data is not None:
                return message
    raise AssertionError("the stream ended without an event")
