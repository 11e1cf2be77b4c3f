"""The costs and health page in a real browser (headless Chromium driven by Playwright,
as tests/acceptance/test_browser.py does): signed in, the page shows its charts with
their text alternatives and no console error, fits a phone's width, is reachable by
keyboard, and is saved as screenshots (paths printed; under test-artifacts/console/)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.console.session import COOKIE
from app.tenants.budgets import BudgetService
from tests.support.browser import launch, require_chromium, skip_module_without_chromium
from tests.support.console import sign_in

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "console"
pytestmark = pytest.mark.slow

skip_module_without_chromium()


def _watch(page: Any, problems: list[str]) -> Any:
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    return page


async def _screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"console screenshot: {path}")
    return path


async def _seed(job_factory, sql_conn, slug: str) -> None:
    for n, (model, cost, latency) in enumerate(
        [("gpt-4.1-mini", "0.0021", 420.0), ("gpt-4.1", "0.0180", 1650.0)]
    ):
        job = await job_factory(
            tenant=slug,
            state="succeeded",
            model=model,
            prompt_version=f"email_reply/v{n + 1}",
            cost_usd=Decimal(cost),
        )
        sql_conn.execute(
            "INSERT INTO llm_calls (job_id, tenant_id, attempt, step, kind, model, prompt_version,"
            " prompt_hash, input_tokens, output_tokens, cost_usd, latency_ms, outcome)"
            " VALUES (%s, %s, 1, 'generate', %s, %s, %s, %s, 800, 200, %s, %s, 'ok')",
            (
                job["id"],
                job["tenant_id"],
                job["kind"],
                model,
                f"email_reply/v{n + 1}",
                hashlib.sha256(b"prompt").hexdigest(),
                Decimal(cost),
                latency,
            ),
        )
    await job_factory(tenant=slug, state="failed")
    await job_factory(tenant=slug, state="queued")


async def test_console_costs_browser__page_renders_without_errors_at_desktop_and_phone_width(
    api, console, make_key, job_factory, sql_conn, admin_db
):
    require_chromium()
    from playwright.async_api import async_playwright

    key = await make_key(tenant="costs-browser")
    await _seed(job_factory, sql_conn, "costs-browser")
    await BudgetService(admin_db).set("costs-browser", Decimal("0.05"))
    sql_conn.execute(
        "INSERT INTO tenant_budget_months (tenant_id, month, spent_usd, reserved_usd)"
        " SELECT id, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 0.0201, 0.004"
        " FROM tenants WHERE slug = 'costs-browser'"
    )
    # Signed in over HTTP, the session cookie handed to the browser as it would keep it.
    assert (await sign_in(console, key)).status_code == 303
    cookie = {
        "name": COOKIE,
        "value": console.cookies[COOKIE],
        "domain": urlsplit(api).hostname,
        "path": "/console",
        "httpOnly": True,
        "sameSite": "Strict",
    }
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            context = await browser.new_context(viewport={"width": 1200, "height": 900})
            await context.add_cookies([cookie])
            page = _watch(await context.new_page(), problems)
            await page.goto(f"{api}/console/costs")
            await page.wait_for_load_state("networkidle")
            assert page.url.endswith("/console/costs")
            assert await page.title() == "Costs and health · Courier"

            charts = page.locator("svg[role=img]")
            assert await charts.count() == 9  # budget, 3 per window, queue, prompt versions
            described = await charts.nth(1).get_attribute("aria-labelledby")
            assert described is not None
            desc = await page.locator(f"[id='{described.split()[1]}']").text_content()
            assert "email_reply · gpt-4.1: $0.018" in (desc or "")
            # The stylesheet applied (bars drawn in the accent colour, not black).
            fill = await page.eval_on_selector(
                "svg[role=img] rect.bar", "r => getComputedStyle(r).fill"
            )
            assert fill == "rgb(11, 87, 208)"

            # Keyboard: the section links and the scrollable tables take focus in turn.
            focused = []
            for _ in range(12):
                await page.keyboard.press("Tab")
                focused.append(
                    await page.evaluate(
                        "() => document.activeElement.getAttribute('aria-label')"
                        " || document.activeElement.textContent.trim().slice(0, 40)"
                    )
                )
            assert "Last 24 hours" in focused and "Prompt versions" in focused
            await page.evaluate("() => document.activeElement.blur()")
            await _screenshot(page, "costs-health")

            await page.set_viewport_size({"width": 375, "height": 800})
            overflow = await page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"the page is {overflow}px wider than a phone"
            await _screenshot(page, "costs-health-phone")
        finally:
            await browser.close()
    assert problems == []
