"""The web console over real HTTP: sign-in and its session cookie, expiry, revocation,
CSRF, the reviewer-only queue, and escaping of hostile content."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid

from app.console.session import COOKIE
from app.keys.service import KeyService
from tests.support.console import csrf_token, same_origin, sign_in
from tests.support.jobs import advance
from tests.support.requests import auth, email_reply_request
from tests.support.streams import SseMessage, sse_messages
from tests.support.waiting import wait_for


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


# --- what the pages show (the console's own HTML, over real HTTP) ---------------------

HOSTILE = "<script>alert(1)</script>"
WRITTEN = "Wann kommt die Rückerstattung? 退款 We can't & won't " + HOSTILE


async def test_console__inputs_and_outputs_read_as_written_and_stay_inert(
    console, make_key, job_factory
):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = await make_key(tenant=tenant)
    job = await job_factory(
        tenant=tenant,
        state="succeeded",
        input=email_reply_request(question=WRITTEN)["input"],
        result={"body": WRITTEN},
    )
    await sign_in(console, key)
    page = await console.get(f"/console/jobs/{job['id']}")
    assert page.status_code == 200
    # Readable: non-ASCII as itself, quotes and & as written (HTML-escaped), ...
    for shown in ("Rückerstattung", "退款", "We can&#39;t &amp; won&#39;t"):
        assert page.text.count(shown) == 2, shown  # the input and the result
    assert "\\u00fc" not in page.text and "\\u0027" not in page.text
    # ... and inert: the markup is text.
    assert HOSTILE not in page.text
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


async def test_console__cancel_is_offered_only_where_the_api_cancels(
    console, make_key, job_factory
):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = await make_key(tenant=tenant)
    queued = await job_factory(tenant=tenant, state="queued")
    running = await job_factory(tenant=tenant, state="running")
    held = await job_factory(tenant=tenant, state="needs_review")
    await sign_in(console, key)
    for job, offered in [(queued, True), (running, True), (held, False)]:
        page = await console.get(f"/console/jobs/{job['id']}")
        assert (f'action="/console/jobs/{job["id"]}/cancel"' in page.text) is offered
    # Posted anyway: the API's 409, on an error page that keeps the navigation and Sign out.
    refused = await console.post(
        f"/console/jobs/{held['id']}/cancel",
        data={"csrf_token": csrf_token(page.text)},
        headers=same_origin(console),
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "text/html; charset=utf-8"
    assert 'href="/console/jobs"' in refused.text and "Sign out" in refused.text


async def test_console__bad_path_ids_and_parameters_get_the_consoles_html_error_page(
    console, make_key
):
    await sign_in(console, await make_key(roles=["reviewer"]))
    for path in [
        "/console/jobs/not-a-uuid",
        "/console/jobs/not-a-uuid/summary",
        "/console/reviews/not-a-uuid",
        "/console/reviews/not-a-uuid/summary",
        "/console/jobs?kind=" + "k" * 300,
        "/console/jobs?state=" + "s" * 300,
        "/console/jobs?cursor=" + "c" * 300,
    ]:
        answer = await console.get(path)
        assert answer.status_code == 400, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8", path
        assert "Sign out" in answer.text, path
    posted = await console.post(
        "/console/jobs/not-a-uuid/cancel",
        data={"csrf_token": csrf_token((await console.get("/console/jobs")).text)},
        headers=same_origin(console),
    )
    assert (posted.status_code, posted.headers["content-type"]) == (400, "text/html; charset=utf-8")


async def test_console__an_unknown_address_gets_the_consoles_html_error_page(console, make_key):
    # Routing errors come before any console handler: a mistyped address in a browser
    # still gets a page, not problem+json.
    await sign_in(console, await make_key())
    for path in ["/console/nope", "/console/jobs/a/b/c", "/console/static/nope.js"]:
        answer = await console.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8", path
    wrong_method = await console.delete("/console/jobs")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "text/html; charset=utf-8"


async def test_console__pages_name_their_charset_once(console, make_key):
    assert (await console.get("/console/sign-in")).headers["content-type"] == (
        "text/html; charset=utf-8"
    )
    await sign_in(console, await make_key())
    page = await console.get("/console/jobs")
    assert page.headers["content-type"] == "text/html; charset=utf-8"


# --- live streams end with their session ------------------------------------------------


async def _ends(messages) -> None:
    async for _ in messages:
        pass


async def test_console__signing_out_ends_the_open_live_stream(console, make_key):
    await sign_in(console, await make_key())
    page = await console.get("/console/jobs")
    async with console.stream("GET", "/console/events") as stream:
        assert stream.status_code == 200
        messages = sse_messages(stream)
        assert (await anext(messages)).comment == "courier tenant events"
        out = await console.post(
            "/console/sign-out",
            data={"csrf_token": csrf_token(page.text)},
            headers=same_origin(console),
        )
        assert out.status_code == 303
        await asyncio.wait_for(_ends(messages), 10)  # a deadline, not a wait


async def test_console__a_live_stream_ends_when_its_session_expires(console, make_key, sql_conn):
    await sign_in(console, await make_key())
    # Two seconds left: the stream may open, and must end when the session does.
    sql_conn.execute("UPDATE console_sessions SET expires_at = now() + interval '2 seconds'")
    async with console.stream("GET", "/console/events") as stream:
        assert stream.status_code == 200
        await asyncio.wait_for(_ends(sse_messages(stream)), 20)
    assert (await console.get("/console/jobs")).status_code == 303


async def test_console__the_session_check_says_whether_the_session_is_live(console, make_key):
    # What the page's script asks when its stream drops, to tell "signed out" apart.
    assert (await console.get("/console/session")).status_code == 303
    await sign_in(console, await make_key())
    assert (await console.get("/console/session")).status_code == 204


# --- the review page ---------------------------------------------------------------------


async def _reviewed_tenant(make_key, http, sql_conn) -> tuple[str, str, str, str, str]:
    """A tenant with a document readable by the billing group, the source id of its
    first chunk, and reviewers in billing and in sales."""
    tenant = f"rv-{uuid.uuid4().hex[:8]}"
    admin = await make_key(tenant=tenant, roles=["admin"])
    doc = {
        "title": "Refunds <b>policy</b>",
        "text": "Refunds reach the card within 5 business days. Rückerstattung: 5 Tage.",
        "url": "https://help.example/refunds",
        "acl_groups": ["billing"],
    }
    answer = await http.post("/v1/documents", json=doc, headers=auth(admin))
    assert answer.status_code in (200, 201, 202), answer.text
    doc_id = answer.json()["id"]
    chunk = sql_conn.execute(
        "SELECT id FROM chunks WHERE document_id = %s ORDER BY ordinal LIMIT 1", (doc_id,)
    ).fetchone()[0]
    return (
        tenant,
        f"doc:{doc_id}:{chunk}",
        await make_key(tenant=tenant, roles=["reviewer"], groups=["billing"]),
        await make_key(tenant=tenant, roles=["reviewer"], groups=["sales"]),
        admin,
    )


def _output(source: str) -> dict:
    return {
        "subject": "Re: refund",
        "body": "Your refund arrives within 5 business days.",
        "citations": [{"source": source, "quote": "within 5 business days"}],
        "outcome": "drafted",
    }


async def test_console__a_review_shows_the_cited_passages_beside_the_output(
    console, http, make_key, job_factory, sql_conn
):
    tenant, source, reader, _, _ = await _reviewed_tenant(make_key, http, sql_conn)
    job = await job_factory(tenant=tenant, state="needs_review", result=_output(source))
    await sign_in(console, reader)
    page = await console.get(f"/console/reviews/{job['id']}")
    assert page.status_code == 200
    assert 'id="passages"' in page.text
    assert "Refunds &lt;b&gt;policy&lt;/b&gt;" in page.text  # the title, escaped
    assert 'href="https://help.example/refunds"' in page.text
    assert "Refunds reach the card within 5 business days. Rückerstattung" in page.text
    assert 'action="/console/reviews/' in page.text  # this reviewer decides


async def test_console__an_output_withheld_from_the_reviewer_is_said_so_and_not_decidable(
    console, http, make_key, job_factory, sql_conn
):
    tenant, source, _, outsider, _ = await _reviewed_tenant(make_key, http, sql_conn)
    job = await job_factory(tenant=tenant, state="needs_review", result=_output(source))
    await sign_in(console, outsider)
    page = await console.get(f"/console/reviews/{job['id']}")
    assert page.status_code == 200
    assert "Withheld: it cites a document your key" in page.text
    assert "Removed." not in page.text
    assert f'action="/console/reviews/{job["id"]}/approve"' not in page.text
    assert "Refunds reach the card" not in page.text and source not in page.text
    # Posted anyway, in the console and in the API: 403, and the job stays held.
    token = csrf_token(page.text)
    for action, fields in [("approve", {}), ("reject", {"reason": "blind"})]:
        refused = await console.post(
            f"/console/reviews/{job['id']}/{action}",
            data={"csrf_token": token, **fields},
            headers=same_origin(console),
        )
        assert refused.status_code == 403
        assert "cites a document your key" in refused.text
        api = await console.post(
            f"/v1/reviews/{job['id']}/{action}", json=fields, headers=auth(outsider)
        )
        assert api.status_code == 403
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["type"].endswith("output-withheld-from-reviewer")
    held = (await console.get(f"/v1/reviews/{job['id']}", headers=auth(outsider))).json()
    assert (held["state"], held["decision"]) == ("needs_review", None)


async def test_console__a_refused_edit_comes_back_with_the_reviewers_text_and_the_error(
    console, http, make_key, job_factory, sql_conn
):
    tenant, source, reader, _, _ = await _reviewed_tenant(make_key, http, sql_conn)
    job = await job_factory(tenant=tenant, state="needs_review", result=_output(source))
    await sign_in(console, reader)
    page = await console.get(f"/console/reviews/{job['id']}")
    token = csrf_token(page.text)
    url = f"/console/reviews/{job['id']}/approve"

    not_json = '{"subject": "Grüße <b>", "body": '
    answer = await console.post(
        url,
        data={"csrf_token": token, "output": not_json, "note": "my note"},
        headers=same_origin(console),
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    textarea = re.search(r'<textarea id="edit-output"[^>]*>(.*?)</textarea>', answer.text, re.S)
    assert textarea[1] == "{&#34;subject&#34;: &#34;Grüße &lt;b&gt;&#34;, &#34;body&#34;: "
    assert 'id="edit-error"' in answer.text and "is not JSON" in answer.text
    assert 'value="my note"' in answer.text

    invalid = json.dumps(_output(source) | {"outcome": "maybe"}, ensure_ascii=False)
    answer = await console.post(
        url, data={"csrf_token": token, "output": invalid}, headers=same_origin(console)
    )
    assert answer.status_code == 422
    assert "output.outcome" in answer.text and 'id="edit-error"' in answer.text
    assert "maybe" in answer.text  # the edit is still there to fix

    answer = await console.post(
        f"/console/reviews/{job['id']}/reject",
        data={"csrf_token": token, "reason": "   "},
        headers=same_origin(console),
    )
    assert answer.status_code == 400 and 'id="reject-error"' in answer.text
    held = (await console.get(f"/v1/reviews/{job['id']}", headers=auth(reader))).json()
    assert held["decision"] is None


async def test_console__a_newly_held_jobs_queue_row_carries_its_reasons(console, make_key, worker):
    tenant = f"rq-{uuid.uuid4().hex[:8]}"
    requester = await make_key(tenant=tenant)
    reviewer = await make_key(tenant=tenant, roles=["reviewer"])
    body = email_reply_request() | {"kind": "email_reply_reviewed"}
    job = (await console.post("/v1/jobs", json=body, headers=auth(requester, "q"))).json()

    async def held():
        got = (await console.get(f"/v1/jobs/{job['id']}", headers=auth(requester))).json()
        return got["state"] == "needs_review"

    await wait_for(held, what="the job held for review")
    await sign_in(console, reviewer)
    row = await console.get(f"/console/reviews/{job['id']}/summary")
    assert row.status_code == 200
    summary = row.json()
    assert (summary["id"], summary["state"]) == (job["id"], "needs_review")
    assert summary["reasons"][0]["code"] == "high_risk_kind"
    assert summary["expires_at"].endswith("+00:00")
