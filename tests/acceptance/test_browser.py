"""A real browser (headless Chromium driven by Playwright) watches a job with
EventSource while the API process is restarted mid-job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.support.browser import launch, require_chromium, skip_module_without_chromium
from tests.support.jobs import advance
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

skip_module_without_chromium()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ApiProcess:
    """`courier api` as a subprocess, so it can be killed and started again on the same port."""

    def __init__(self, database_url: str, port: int) -> None:
        self.port = port
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            "COURIER_DELIVERY_SSE_RETRY_MS": "200",
            "COURIER_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "api", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )

        async def healthy() -> bool:
            assert self.process.poll() is None, "the API process exited"
            try:
                async with httpx.AsyncClient() as client:
                    return (
                        await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    ).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_for(healthy, timeout=30, what="the API process")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


async def test_browser__eventsource_sees_every_event_once_across_an_api_restart(
    database_url, make_key, sql_conn
):
    require_chromium()
    from playwright.async_api import async_playwright

    api = ApiProcess(database_url, _free_port())
    base = f"http://127.0.0.1:{api.port}"
    await api.start()
    try:
        key = await make_key()
        async with httpx.AsyncClient(base_url=base) as client:
            job = (
                await client.post(
                    "/v1/jobs", json=email_reply_request(), headers=auth(key, "browser")
                )
            ).json()
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            try:
                page = await browser.new_page()
                # Served from the API's own origin: Chromium refuses cross-origin loopback requests.
                await page.goto(f"{base}/watch?events={quote(job['links']['events'], safe='')}")
                await page.wait_for_function("window.courierEvents.length >= 1", timeout=30_000)
                advance(sql_conn, job["id"], "running")
                await page.wait_for_function("window.courierEvents.length >= 2", timeout=30_000)

                api.kill()  # mid-job: the stream breaks, the job goes on
                advance(sql_conn, job["id"], "succeeded")
                await api.start()

                await page.wait_for_function("window.courierDone === true", timeout=60_000)
                seen = await page.evaluate("window.courierEvents")
                opens = await page.evaluate("window.courierOpens")
            finally:
                await browser.close()
    finally:
        api.kill()

    assert [(e["id"], e["seq"], e["state"]) for e in seen] == [
        ("1", 1, "queued"),
        ("2", 2, "running"),
        ("3", 3, "succeeded"),
    ]  # each exactly once, in order
    assert opens >= 2  # the browser reconnected by itself, with Last-Event-ID
