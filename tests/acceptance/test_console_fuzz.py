"""Hostile query parameters and form fields on the web console: every answer is a 4xx
or a page (2xx/3xx), never a 500, and nothing hostile is stored."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.support.console import csrf_token, same_origin, sign_in
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for

HOSTILE_VALUES = [
    "%00",
    "a%00b",
    "%FF",
    "caf%E9",
    "x" * 5000,
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "9" * 40,
    "-1",
    "1.2.3",
    "99999999999999999999999.1",
    "..%2F..%2Fetc%2Fpasswd",
    "%E2%80%AE",
    str(uuid.uuid4()),
]
PAGES = ["/console/jobs", "/console/reviews", "/console/costs", "/console/sign-in"]
PARAMETERS = ["state", "kind", "cursor", "after"]


def _fine(status: int) -> bool:
    return status < 500


async def test_console_fuzz__hostile_query_parameters_get_4xx_or_a_page(console, make_key):
    key = await make_key(roles=["reviewer"])
    job = (
        await console.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "f"))
    ).json()
    await sign_in(console, key)
    paths = [*PAGES, f"/console/jobs/{job['id']}", f"/console/jobs/{job['id']}/summary"]
    bad = []
    for path in paths:
        for name in PARAMETERS:
            for value in HOSTILE_VALUES:
                answer = await console.get(f"{path}?{name}={value}")
                if not _fine(answer.status_code):
                    bad.append((path, name, value[:40], answer.status_code))
    for value in HOSTILE_VALUES:
        # The event stream: refused before it starts, or a stream (closed at once).
        async with console.stream("GET", f"/console/events?after={value}") as answer:
            if not _fine(answer.status_code):
                bad.append(("/console/events", "after", value[:40], answer.status_code))
    for path in ["/console/jobs/not-a-uuid", "/console/reviews/%00", "/console/jobs/%FF"]:
        answer = await console.get(path)
        if not _fine(answer.status_code):
            bad.append((path, "", "", answer.status_code))
    assert bad == []


@pytest.mark.parametrize(
    "fields",
    [
        {"key": "a\x00b"},
        {"key": "x" * 200_000},
        {"key": "ck_" + "é" * 40},
        {"key": ["two", "values"]},
        {},
    ],
    ids=["nul", "huge", "unicode", "repeated", "missing"],
)
async def test_console_fuzz__hostile_sign_in_fields_get_4xx(console, fields):
    answer = await console.post("/console/sign-in", data=fields, headers=same_origin(console))
    assert 400 <= answer.status_code < 500


async def test_console_fuzz__sign_in_with_a_file_or_raw_bytes_gets_4xx(console):
    files = await console.post(
        "/console/sign-in", files={"key": ("k.txt", b"ck_x")}, headers=same_origin(console)
    )
    raw = await console.post(
        "/console/sign-in",
        content=b"key=%FF%FE%00",
        headers={**same_origin(console), "Content-Type": "application/x-www-form-urlencoded"},
    )
    json_body = await console.post(
        "/console/sign-in", json={"key": "x"}, headers=same_origin(console)
    )
    assert [files.status_code < 500, raw.status_code < 500, json_body.status_code < 500] == [
        True,
        True,
        True,
    ]
    assert 400 <= raw.status_code < 500


HOSTILE_DECISIONS = [
    ("approve", {"output": "{"}),
    ("approve", {"output": "[1, 2]"}),
    ("approve", {"output": json.dumps({"body": "a\x00b"})}),
    ("approve", {"output": '{"body": "a\\u0000b"}'}),
    ("approve", {"output": "[" * 5000 + "]" * 5000}),
    ("approve", {"output": '{"a": ' * 100 + "1" + "}" * 100}),
    ("approve", {"output": '{"body": 1e999}'}),
    ("approve", {"output": '{"body": NaN}'}),
    ("approve", {"output": '{"body": "<script>alert(1)</script>"}'}),
    ("approve", {"note": "n" * 3000}),
    ("approve", {"note": "a\x00b"}),
    ("reject", {"reason": ""}),
    ("reject", {"reason": "   "}),
    ("reject", {"reason": "r" * 3000}),
    ("reject", {}),
]


async def test_console_fuzz__hostile_review_forms_get_4xx_and_leave_the_job_held(
    console, http, worker, make_key
):
    tenant = f"fz-{uuid.uuid4().hex[:8]}"
    requester = await make_key(tenant=tenant)
    body = email_reply_request() | {"kind": "email_reply_reviewed"}
    job = (await http.post("/v1/jobs", json=body, headers=auth(requester, "fz"))).json()

    async def held() -> bool:
        got = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(requester))).json()
        return got["state"] == "needs_review"

    await wait_for(held, what="the job held for review")
    await sign_in(console, await make_key(tenant=tenant, roles=["reviewer"]))
    token = csrf_token((await console.get("/console/jobs")).text)
    answers = []
    for action, fields in HOSTILE_DECISIONS:
        answer = await console.post(
            f"/console/reviews/{job['id']}/{action}",
            data={"csrf_token": token, **fields},
            headers=same_origin(console),
        )
        answers.append((action, str(fields)[:50], answer.status_code))
    assert [a for a in answers if not 400 <= a[2] < 500] == []
    assert await held()


async def test_console__is_not_in_the_openapi_document(http):
    document = (await http.get("/schema/openapi.json")).json()
    assert [path for path in document["paths"] if path.startswith("/console")] == []
