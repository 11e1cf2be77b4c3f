"""Prometheus metrics: the API's and the worker's, each on a port of its own (never on
the public API port)."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.jobs import advance
from tests.support.requests import auth, email_reply_request
from tests.support.streams import sse_messages
from tests.support.waiting import wait_for
from tests.support.webhooks import Receiver


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# The metrics port is set before the API starts (tests/integration/conftest.py).
pytestmark = pytest.mark.usefixtures("metrics_url")


async def _scrape(metrics_text) -> dict:
    return _samples(await metrics_text())


async def test_metrics__are_not_served_on_the_public_api_port(http, make_key):
    """Queue depth and volume across every tenant are the operators', not a tenant's:
    no key, not even a tenant admin's, reads them on the API port."""
    assert (await http.get("/metrics")).status_code == 404
    admin = await make_key(roles=["admin"])
    assert (await http.get("/metrics", headers=auth(admin))).status_code == 404
    assert "/metrics" not in (await http.get("/schema/openapi.json")).json()["paths"]


async def test_metrics__idle_queues_report_zero_rather_than_vanishing(http, metrics_text):
    samples = await _scrape(metrics_text)
    for queue in ("jobs", "backfill"):
        assert (
            samples[("courier_queue_depth", frozenset({"queue": queue, "status": "todo"}.items()))]
            == 0
        )
        assert (
            samples[("courier_jobs_open", frozenset({"queue": queue, "state": "queued"}.items()))]
            == 0
        )


async def test_metrics__queue_depth_and_open_jobs_are_read_from_the_database(
    http, make_key, metrics_text
):
    key = await make_key()
    for _ in range(3):
        assert (
            await http.post(
                "/v1/jobs", json=email_reply_request(), headers=auth(key, str(uuid.uuid4()))
            )
        ).status_code == 202
    samples = await _scrape(metrics_text)
    # No worker runs: everything submitted is still waiting (this database is this test's own).
    assert _value(samples, "courier_queue_depth", queue="jobs", status="todo") == 3
    assert _value(samples, "courier_jobs_open", queue="jobs", state="queued") == 3
    assert _value(samples, "courier_jobs_oldest_open_seconds", queue="jobs", state="queued") >= 0


async def test_metrics__count_intake_outcomes_and_execution(
    http, make_key, worker, sql_conn, metrics_text
):
    # Counters are per process and tests share this process: compare before and after.
    before = await _scrape(metrics_text)
    key = await make_key(tenant="metered")
    job = (
        await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "once"))
    ).json()
    await http.post(
        "/v1/jobs", json=email_reply_request(), headers=auth(key, "once")
    )  # a retry: same job
    reused = await http.post(
        "/v1/jobs", json=email_reply_request("Another question?"), headers=auth(key, "once")
    )
    assert reused.status_code == 422
    sql_conn.execute(
        "UPDATE tenants SET rate_limit_per_second = 0.001, rate_limit_burst = 1 "
        "WHERE slug = 'metered'"
    )
    sql_conn.execute("DELETE FROM tenant_rate_buckets")
    await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, str(uuid.uuid4())))
    limited = await http.post(
        "/v1/jobs", json=email_reply_request(), headers=auth(key, str(uuid.uuid4()))
    )
    assert limited.status_code == 429

    async def finished():
        return (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()[
            "state"
        ] == "succeeded"

    await wait_for(finished, what="job succeeded")
    after = await _scrape(metrics_text)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("courier_intake_requests_total", kind="email_reply", outcome="created") == 2
    assert delta("courier_intake_requests_total", kind="email_reply", outcome="existing") == 1
    assert delta("courier_intake_requests_total", kind="email_reply", outcome="invalid") == 1
    assert delta("courier_intake_requests_total", kind="email_reply", outcome="rate_limited") == 1
    assert delta("courier_intake_duration_seconds_count", outcome="created") == 2
    assert delta("courier_job_pickup_seconds_count", kind="email_reply") >= 1
    assert delta("courier_jobs_finished_total", kind="email_reply", state="succeeded") >= 1
    assert delta("courier_job_run_seconds_count", kind="email_reply", state="succeeded") >= 1
    model = sql_conn.execute("SELECT model FROM jobs WHERE id = %s", (job["id"],)).fetchone()[0]
    assert (
        "courier_model_tokens_total",
        frozenset({"kind": "email_reply", "model": model, "direction": "input"}.items()),
    ) in after
    for hook in ("courier_webhook_failures", "courier_sse_clients_open"):
        assert f"# TYPE {hook}" in await metrics_text()


async def test_worker__serves_its_metrics_when_a_port_is_set(settings, job_kinds):
    import asyncio
    import contextlib

    from tasks.worker import run_worker

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.worker.metrics_port = port
    settings.worker.metrics_host = "127.0.0.1"
    task = asyncio.create_task(run_worker(settings, job_kinds, install_signal_handlers=False))
    try:
        async with httpx.AsyncClient() as client:

            async def answers():
                with contextlib.suppress(httpx.HTTPError):
                    return (await client.get(f"http://127.0.0.1:{port}/metrics")).text

            text = await wait_for(answers, what="worker metrics endpoint")
        assert "courier_jobs_finished_total" in text or "# TYPE courier_jobs_finished" in text
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_metrics__webhook_failures_count_each_failed_attempt_by_reason(
    loopback_webhooks, http, make_key, settings, db, metrics_text
):
    from tasks.relay import OutboxRelay

    receiver = Receiver(answers=[(500, {}), (410, {})]).start()
    key = await make_key(roles=["admin"])
    before = await _scrape(metrics_text)

    async def failures() -> dict[str, float]:
        after = await _scrape(metrics_text)
        return {
            reason: _value(after, "courier_webhook_failures_total", reason=reason)
            - _value(before, "courier_webhook_failures_total", reason=reason)
            for reason in ("http_5xx", "gone", "dead", "timeout", "refused_url")
        }

    def counted(expected: dict[str, int]):
        # The relay counts an attempt after the receiver has answered it: it must still
        # run until then (a stop cancels the attempt it is finishing).
        async def check():
            found = await failures()
            return found if all(found[k] == v for k, v in expected.items()) else None

        return check

    async def run_relay_until(done) -> None:
        relay = OutboxRelay(db, settings.database.url, settings.delivery)
        await relay.start()
        try:
            await wait_for(done, what="the attempts counted")
        finally:
            await relay.stop()

    try:
        flaky = (
            await http.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(key))
        ).json()
        receiver.secret = flaky["secret"]
        await http.post(f"/v1/webhooks/{flaky['id']}/test", headers=auth(key))
        # 500 (retried), then 410 (the endpoint is disabled).
        await run_relay_until(counted({"http_5xx": 1, "gone": 1}))
        assert len(receiver.deliveries) == 2

        receiver.answers = [(503, {})]
        doomed = (
            await http.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(key))
        ).json()
        receiver.secret = doomed["secret"]
        await http.post(f"/v1/webhooks/{doomed['id']}/test", headers=auth(key))
        settings.delivery.retry_window_seconds = 0.001  # the first failure is also the last
        await run_relay_until(counted({"dead": 1}))
        assert len(receiver.deliveries) == 3
    finally:
        receiver.stop()

    assert await failures() == {
        "http_5xx": 1,
        "gone": 1,
        "dead": 1,
        "timeout": 0,
        "refused_url": 0,
    }


async def test_metrics__open_sse_streams_count_until_the_stream_ends_or_the_client_goes_away(
    http, make_key, sql_conn, metrics_text
):
    key = await make_key()
    job = (await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "sse"))).json()
    headers = {"Accept": "text/event-stream", **auth(key)}
    baseline = _value(await _scrape(metrics_text), "courier_sse_clients_open")

    async def open_streams_are(n: int):
        async def check():
            return _value(await _scrape(metrics_text), "courier_sse_clients_open") == baseline + n

        await wait_for(check, what=f"{n} open streams counted")

    # Two clients open a stream and go away without waiting for the end.
    for url in (f"/v1/jobs/{job['id']}/events", "/v1/events"):
        async with http.stream("GET", url, headers=headers) as response:
            # Keep the parser referenced: a collected one closes the response.
            messages = sse_messages(response)
            await anext(messages)
            await open_streams_are(1)
        await open_streams_are(0)

    # A stream that ends with the job's terminal event.
    async with http.stream("GET", f"/v1/jobs/{job['id']}/events", headers=headers) as response:
        messages = sse_messages(response)
        await anext(messages)
        await open_streams_are(1)
        advance(sql_conn, job["id"], "running")
        advance(sql_conn, job["id"], "succeeded")
        seqs = [m.data["seq"] async for m in messages if m.data is not None]
    assert seqs == [1, 2, 3]
    await open_streams_are(0)


async def _async(value):
    return value
