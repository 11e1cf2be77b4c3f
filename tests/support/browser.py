"""Debian's chromium for the real-browser tests (Playwright drives it): where it is,
how it is started, and the module-level skip outside CI when it is not installed."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# Headless, in a container without a sandbox, and quiet: nothing the browser fetches
# on its own (updates, sync, QUIC probes) may show up as a request of the page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def skip_module_without_chromium() -> None:
    """At a test module's top: skip it when chromium is missing, except under CI,
    where the test fails instead (scripts/install-browser.sh installs it)."""
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip(
            "chromium is not installed (scripts/install-browser.sh); under CI this fails instead",
            allow_module_level=True,
        )


def require_chromium() -> None:
    assert shutil.which(CHROMIUM) or os.path.exists(CHROMIUM), "chromium is required under CI"


async def launch(playwright: Any) -> Any:
    """A headless chromium browser."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
