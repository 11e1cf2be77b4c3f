"""Fuzzing of the API over its own OpenAPI document: property-based (schemathesis),
then a sweep of hostile values over every parameter and body member it declares.

Every answer must be documented, typed as documented, and never a 5xx; a 4xx is
problem+json (on /v1/responses, OpenAI's error envelope). Both runs are bounded: a
fixed seed and a number of examples for schemathesis, and a finite list of hostile
values for the sweep.

Two schemathesis checks are left out, on purpose:
- positive_data_acceptance: schemathesis reuses one Idempotency-Key for different
  bodies, which must be refused with 422 (that refusal is the feature);
- allow_header_conformance: Litestar's automatic OPTIONS answer lists one method
  of a path served by both GET and POST (a Litestar limitation, not ours).
The tenant-wide event stream never ends by design, so schemathesis leaves it out (its
parameters are covered by the sweep and by tests/acceptance/test_event_streams.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.support.hostile import HostileRequest, hostile_requests, operations
from tests.support.requests import auth, email_reply_request

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
NEVER_ENDS = {"StreamTenantEvents"}
RESPONSE_REQUEST = {"model": "gpt-4.1-mini", "input": "hi", "background": True}
"""A valid background Responses request (the default small model's name)."""


async def test_api__survives_schemathesis_without_server_errors_or_undocumented_answers(
    api, worker, make_key, tmp_path
):
    # The worker ends every response the fuzzer makes (offline: failed), so its streams
    # and synchronous waits end too.
    key = await make_key(roles=["admin"])  # admin: the webhook endpoints are fuzzed too
    har = tmp_path / "requests.har.json"
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{api}/schema/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance,allow_header_conformance",
        "--exclude-operation-id",
        ",".join(NEVER_ENDS),
        # Valid and invalid data for every part of a request (path, query, headers, body),
        # and sequences of requests that use what earlier answers returned.
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--mode",
        "all",
        "--generation-allow-x00",
        "true",
        "--request-timeout",
        "10",
        "--header",
        f"Authorization: Bearer {key}",
        "--max-examples",
        os.environ.get("COURIER_FUZZ_EXAMPLES", "40"),
        "--seed",
        os.environ.get("COURIER_FUZZ_SEED", "20261122"),
        "--no-color",
        "--report",
        "har",
        "--report-har-path",
        str(har),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,  # schemathesis keeps a cache in its working directory
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-6000:]
    assert "generated" in report

    # Every query parameter and header an operation declares was generated at least once.
    async with httpx.AsyncClient(base_url=api) as client:
        document = (await client.get("/schema/openapi.json")).json()
    declared = {
        (op.operation_id, parameter["in"], parameter["name"].lower())
        for op in operations(document)
        if op.operation_id not in NEVER_ENDS
        for parameter in op.parameters
        if parameter["in"] in {"query", "header"}
    }
    assert declared
    assert declared - _sent_parameters(har, document) == set()


def _sent_parameters(har: Path, document: dict) -> set[tuple[str, str, str]]:
    """(operationId, "query" | "header", name) of every parameter a HAR file's requests sent."""
    routes = [
        (
            re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op.path_template) + "/?$"),
            op.method,
            op.operation_id,
        )
        for op in operations(document)
    ]
    sent = set()
    for entry in json.loads(har.read_text())["log"]["entries"]:
        request = entry["request"]
        url = urlsplit(request["url"])
        for pattern, method, operation_id in routes:
            if method == request["method"] and pattern.match(url.path):
                sent |= {
                    (operation_id, "query", name.lower())
                    for name, _ in parse_qsl(url.query, keep_blank_values=True)
                }
                sent |= {(operation_id, "header", h["name"].lower()) for h in request["headers"]}
    return sent


async def test_api__hostile_parameters_and_bodies_are_4xx_problems_and_write_nothing(
    loopback_webhooks, http, api, make_key, receiver, sql_conn
):
    """NUL and non-UTF-8 text in every query parameter, non-ASCII bytes in every header,
    deep nesting, huge numbers, NUL and lone surrogates in and beside every body member."""
    key = await make_key(roles=["admin"])
    job = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k"))
    endpoint = await http.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(key))
    response = await http.post("/v1/responses", json=RESPONSE_REQUEST, headers=auth(key))
    assert (job.status_code, endpoint.status_code, response.status_code) == (202, 201, 200)
    document = (await http.get("/schema/openapi.json")).json()
    valid_bodies = {
        "CreateJob": email_reply_request(),
        "CreateWebhookEndpoint": {"url": receiver.url, "description": "hooks"},
        "CreateResponse": RESPONSE_REQUEST,
    }
    written_before = _written(sql_conn)

    sent = 0
    for operation in operations(document):
        if operation.body_schema is not None:
            assert operation.operation_id in valid_bodies, "give the sweep a valid body"
        required_headers = {"Authorization": f"Bearer {key}".encode()}
        if operation.body_schema is not None:
            required_headers["Content-Type"] = b"application/json"
        for request in hostile_requests(
            document,
            operation,
            path_values={
                "job_id": job.json()["id"],
                "endpoint_id": endpoint.json()["id"],
                "response_id": response.json()["id"],
            },
            valid_body=valid_bodies.get(operation.operation_id),
            required_headers=required_headers,
        ):
            if any(p["name"] == "Idempotency-Key" for p in operation.parameters):
                # A fresh key unless this request's hostile part is the key itself.
                fresh = {"Idempotency-Key": uuid.uuid4().hex.encode()}
                request = dataclasses.replace(request, headers=fresh | request.headers)
            await _send_and_check(http, request)
            sent += 1
    assert sent > 100
    assert _written(sql_conn) == written_before


async def _send_and_check(http: httpx.AsyncClient, request: HostileRequest) -> None:
    async with http.stream(
        request.method, request.url, headers=request.headers, content=request.body, timeout=30
    ) as response:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            # An accepted stream (a header it ignores): it started, and that is an answer.
            assert response.status_code == 200, request.what
            return
        await response.aread()
    where = f"{request.operation_id} {request.what}: {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        if request.url.startswith("/v1/responses"):
            assert set(response.json()["error"]) == {"message", "type", "param", "code"}, where
        else:
            assert response.headers["content-type"] == PROBLEM, where
    if request.what.startswith(("query ", "body ", "whole body")):
        # These are never acceptable: NUL, bytes that are not UTF-8, numbers past a
        # bigint, nesting past the limit, and each in place of a valid value.
        assert 400 <= response.status_code < 500, where


def _written(sql_conn) -> tuple[int, ...]:
    return sql_conn.execute(
        "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM job_events), "
        "(SELECT count(*) FROM webhook_endpoints), (SELECT count(*) FROM outbox)"
    ).fetchone()
