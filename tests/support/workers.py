"""A real worker: in this process (:func:`running_worker`, the ``worker`` fixture), or as
a ``courier worker`` subprocess with the test kinds (:func:`spawn_worker`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from app.jobs.kinds import KindRegistry
from app.settings import Settings
from tasks.worker import run_worker
from tests.support.kinds import TEST_KINDS

ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def running_worker(
    settings: Settings, kinds: KindRegistry = TEST_KINDS
) -> AsyncIterator[asyncio.Task]:
    task = asyncio.create_task(run_worker(settings, kinds, install_signal_handlers=False))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def spawn_worker(
    database_url: str,
    name: str,
    log: Any = None,
    env: Mapping[str, str] | None = None,
    **settings: Any,
) -> subprocess.Popen[bytes]:
    """A real ``courier worker`` process (with the test kinds), its logs appended to
    the file ``log`` if given; ``env`` adds environment variables (e.g. OPENAI_API_KEY
    and OPENAI_BASE_URL), ``settings`` are COURIER_WORKER_* variables without the
    prefix, e.g. ``CONCURRENCY=4``. This process's OPENAI_* variables are not passed
    on: without them in ``env`` the worker has no model provider."""
    variables = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "COURIER_LOG_LEVEL": "WARNING",
        "COURIER_WORKER_NAME": name,
    }
    variables |= {f"COURIER_WORKER_{key}": str(value) for key, value in settings.items()}
    variables |= env or {}
    with open(log or os.devnull, "ab") as stderr:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "tests.support.worker_with_test_kinds", "worker"],
            env=variables,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
