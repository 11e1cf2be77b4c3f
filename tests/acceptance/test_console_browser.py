"""The web console in a real browser (headless Chromium driven by Playwright, as
tests/acceptance/test_browser.py does): sign in, watch jobs live, cancel one, decide
held outputs in the review queue and see the requester's stream get the outcome, a
reviewer-only action refused, a cross-site form post refused, no console errors, and a
screenshot of each main page (paths printed; under test-artifacts/console/)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.keys.service import KeyService
from tests.support.browser import launch, require_chromium, skip_module_without_chromium
from tests.support.requests import auth, email_reply_request, sleepy
from tests.support.streams import read_stream
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "console"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("loopback_webhooks")]

skip_module_without_chromium()

REVIEWED = "email_reply_reviewed"  # every output held (tests/support/kinds.py)


class Problems:
    """What a page should never show: console errors, uncaught exceptions, failed requests
    (an EventSource cut off by leaving its page is not one)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def watch(self, page: Any) -> Any:
        page.on(
            "console",
            lambda m: (
                self.found.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.found.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on(
            "response",
            lambda r: self.found.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
        )
        return page

    def _failed(self, request: Any) -> None:
        if "/console/events" in request.url and "ERR_ABORTED" in (request.failure or ""):
            return
        self.found.append(f"request failed: {request.url} {request.failure}")


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            yield browser
        finally:
            await browser.close()


async def _signed_in(browser: Any, base: str, key: str, problems: Problems) -> Any:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = problems.watch(await context.new_page())
    await page.goto(f"{base}/console/")
    assert page.url.endswith("/console/sign-in")
    # By keyboard alone: the labelled field has the focus, Enter submits.
    assert await page.evaluate("document.activeElement.id") == "key"
    await page.keyboard.type(key)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/console/jobs")
    return page


async def _live(page: Any) -> None:
    # Polled from here: a page-side wait_for_function evaluates its string with eval,
    # which the console's CSP forbids once it has to poll.
    await wait_for(
        lambda: page.evaluate("window.courierConsole.opens >= 1"), what="the live stream"
    )


async def _screenshot(page: Any, name: str, shots: list[Path]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    shots.append(path)


async def _row_state(page: Any, job_id: str) -> str | None:
    return await page.evaluate(
        """id => {
            const cell = document.querySelector(`tr[data-job-id="${id}"] [data-field="state"]`);
            return cell ? cell.textContent : null;
        }""",
        job_id,
    )


async def _held(http: Any, key: str) -> dict[str, Any]:
    body = email_reply_request() | {"kind": REVIEWED}
    job = (await http.post("/v1/jobs", json=body, headers=auth(key, str(uuid.uuid4())))).json()

    async def held() -> dict[str, Any] | None:
        got = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()
        return got if got["state"] == "needs_review" else None

    return await wait_for(held, what="the job held for review")


async def test_console_browser__jobs_live_cancel_and_review_decisions(
    api, http, worker, make_key, capsys
):
    tenant = f"con-{uuid.uuid4().hex[:8]}"
    requester = await make_key(tenant=tenant, user="requester")
    reviewer = await make_key(tenant=tenant, user="rita", roles=["reviewer"])
    problems = Problems()
    shots: list[Path] = []
    async with chromium() as browser:
        # Live jobs: a job submitted after the page loaded appears and succeeds, no reload.
        page = await _signed_in(browser, api, requester, problems)
        await _live(page)
        await page.evaluate("window.notReloaded = true")
        job = (
            await http.post("/v1/jobs", json=email_reply_request(), headers=auth(requester, "live"))
        ).json()

        async def succeeded() -> bool:
            return await _row_state(page, job["id"]) == "succeeded"

        await wait_for(succeeded, what="the job's row to show succeeded")
        assert await page.evaluate("window.notReloaded === true")
        await _screenshot(page, "jobs", shots)

        # Its page: timeline, model, result.
        await page.click(f'tr[data-job-id="{job["id"]}"] a')
        await page.wait_for_url(f"{api}/console/jobs/{job['id']}")
        assert await page.locator("#result").count() == 1
        await _screenshot(page, "job", shots)

        # Cancel a job that would run for a minute.
        long = (
            await http.post("/v1/jobs", json=sleepy(60_000), headers=auth(requester, "long"))
        ).json()
        await page.goto(f"{api}/console/jobs/{long['id']}")
        await page.get_by_role("button", name="Cancel job").click()
        await page.wait_for_load_state()
        assert await page.locator("dl.facts .state").first.text_content() == "cancelled"
        state = (await http.get(f"/v1/jobs/{long['id']}", headers=auth(requester))).json()
        assert state["state"] == "cancelled"

        # The review queue in two consoles of the same reviewer.
        first, second = await _held(http, requester), await _held(http, requester)
        deciding = await _signed_in(browser, api, reviewer, problems)
        watching = await _signed_in(browser, api, reviewer, problems)
        await watching.goto(f"{api}/console/reviews")
        await _live(watching)
        await deciding.goto(f"{api}/console/reviews")
        assert await deciding.locator(f'tr[data-job-id="{first["id"]}"]').count() == 1
        await _screenshot(deciding, "reviews", shots)

        requester_stream = asyncio.create_task(
            read_stream(http, f"/v1/jobs/{first['id']}/events", auth(requester))
        )
        await deciding.goto(f"{api}/console/reviews/{first['id']}")
        await _screenshot(deciding, "review", shots)
        await deciding.get_by_label("Note (optional)").first.fill("checked the refund policy")
        await deciding.get_by_role("button", name="Approve as it is").click()
        await deciding.wait_for_load_state()
        assert "Approved" in (await deciding.locator("#decision").text_content() or "")

        async def decided_elsewhere() -> bool:
            return await _row_state(watching, first["id"]) == "succeeded"

        await wait_for(decided_elsewhere, what="the other console to see the approval")
        # A job held while the queue is open appears with why it was held, no reload.
        third = await _held(http, requester)
        reasons = watching.locator(f'tr[data-job-id="{third["id"]}"] ul.reasons li')
        await reasons.first.wait_for(timeout=30_000)
        assert "high_risk_kind" in (await reasons.first.text_content() or "")
        outcome = await asyncio.wait_for(requester_stream, 30)
        assert outcome[-1].data["state"] == "succeeded"

        requester_stream = asyncio.create_task(
            read_stream(http, f"/v1/jobs/{second['id']}/events", auth(requester))
        )
        await deciding.goto(f"{api}/console/reviews/{second['id']}")
        await deciding.get_by_label("Reason").fill("the reply promises a date we cannot keep")
        await deciding.get_by_role("button", name="Reject").click()
        await deciding.wait_for_load_state()
        assert "Rejected" in (await deciding.locator("#decision").text_content() or "")
        outcome = await asyncio.wait_for(requester_stream, 30)
        assert outcome[-1].data["state"] == "failed"
        assert outcome[-1].data["data"]["error"]["code"] == "rejected_in_review"

        await watching.goto(f"{api}/console/costs")
        await _screenshot(watching, "costs", shots)
        # A phone's width: the jobs table scrolls inside its frame, the page does not.
        await watching.set_viewport_size({"width": 375, "height": 800})
        await watching.goto(f"{api}/console/jobs")
        assert await watching.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # The table stacks: a row's age, attempts and cost are on screen, not off to the right.
        assert await watching.evaluate(
            """() => ["age", "attempt", "cost"].every(field => {
                const cell = document.querySelector(`#jobs tbody tr [data-field="${field}"]`);
                const box = cell.getBoundingClientRect();
                return box.width > 0 && box.right <= window.innerWidth;
            })"""
        )
        await _screenshot(watching, "jobs-phone", shots)

    assert problems.found == []
    assert all(path.stat().st_size > 0 for path in shots)
    with capsys.disabled():  # in the test output even when pytest captures it
        print("\nconsole screenshots:\n" + "\n".join(f"  {path}" for path in shots))


async def test_console_browser__reviewer_only_action_is_refused_for_a_non_reviewer(
    api, http, worker, make_key
):
    tenant = f"con-{uuid.uuid4().hex[:8]}"
    requester = await make_key(tenant=tenant, user="requester")
    held = await _held(http, requester)
    async with chromium() as browser:
        page = await _signed_in(browser, api, requester, Problems())
        assert await page.get_by_role("link", name="Reviews").count() == 0
        assert await page.get_by_role("link", name="Costs").count() == 1
        answer = await page.goto(f"{api}/console/reviews")
        assert answer.status == 403
        # Even a same-origin post with the session's own CSRF token is refused.
        await page.goto(f"{api}/console/jobs")
        status = await page.evaluate(
            """async id => {
                const token = document.querySelector('input[name="csrf_token"]').value;
                const body = new URLSearchParams({csrf_token: token});
                const answer = await fetch(`/console/reviews/${id}/approve`, {
                    method: "POST", body, redirect: "manual"});
                return answer.status;
            }""",
            held["id"],
        )
        assert status == 403
    job = (await http.get(f"/v1/jobs/{held['id']}", headers=auth(requester))).json()
    assert job["state"] == "needs_review"


@contextmanager
def attacker_site(target: str) -> Iterator[str]:
    """Another origin serving a page whose form posts itself to ``target``."""
    page = (
        "<!doctype html><form id=f method=post action='" + target + "'>"
        "<input name=csrf_token value=guess></form>"
        "<script>document.getElementById('f').submit()</script>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def test_console_browser__a_cross_site_form_post_is_refused(api, http, make_key):
    key = await make_key()
    job = (await http.post("/v1/jobs", json=sleepy(60_000), headers=auth(key, "x"))).json()
    target = f"{api}/console/jobs/{job['id']}/cancel"
    async with chromium() as browser:
        page = await _signed_in(browser, api, key, Problems())
        with attacker_site(target) as evil:
            async with page.expect_response(target) as refused:
                await page.goto(evil)
            assert (await refused.value).status == 403
    assert (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()["state"] == "queued"


async def test_console_browser__revoking_the_key_says_signed_out_at_once(api, make_key, admin_db):
    key = await make_key()
    problems = Problems()
    async with chromium() as browser:
        page = await _signed_in(browser, api, key, problems)
        await _live(page)
        await page.evaluate(
            """() => {
                window.statuses = [];
                const status = document.getElementById("live-status");
                new MutationObserver(() => window.statuses.push(status.textContent))
                    .observe(status, { childList: true, characterData: true, subtree: true });
            }"""
        )
        await KeyService(admin_db).revoke(key)
        # Polled from here: the page's CSP forbids the eval a page-side wait would use.
        await wait_for(
            lambda: page.evaluate("window.statuses.includes('Signed out — sign in again')"),
            what="the status to say signed out",
        )
        # Said at once: never "Reconnecting…" first.
        assert await page.evaluate("window.statuses") == ["Signed out — sign in again"]
