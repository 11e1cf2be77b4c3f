"""What every background duty shares: a loop of passes, one at a time across
processes, each bounded in time, surviving database outages."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime

from app.db import Database, DatabaseError

log = logging.getLogger("courier.maintenance")


class MaintenanceService:
    """Runs :meth:`run_pass` every ``interval`` seconds (with a little jitter) until
    stopped. A pass runs only while holding the duty's advisory lock, and is given
    at most ``pass_timeout`` seconds, so a stuck pass cannot stall the duty: the
    next one starts on time and, if the stuck one's process died, its lock died
    with its connection."""

    duty = "maintenance"

    def __init__(self, db: Database, *, interval: float, pass_timeout: float = 30.0) -> None:
        self.db = db
        self.interval = interval
        self.pass_timeout = pass_timeout
        self._task: asyncio.Task[None] | None = None

    async def run_pass(self, now: datetime | None = None) -> int:
        """One pass under the duty's lock; returns how many jobs it changed (0 when
        another process holds the lock)."""
        async with asyncio.timeout(self.pass_timeout), self.db.transaction() as conn:
            locked = await self.db.fetch_one("maintenance_lock_try", conn, duty=f"courier.{self.duty}")
            if not locked["locked"]:
                return 0
            return await self.work(conn, now)

    async def work(self, conn, now: datetime | None) -> int:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=f"courier {self.duty}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval * random.uniform(0.8, 1.2))
            try:
                changed = await self.run_pass()
            except (DatabaseError, TimeoutError) as exc:
                # The database is down or slow: the next pass tries again.
                log.warning("maintenance pass failed", extra={"event": f"{self.duty}_failed", "error": repr(exc)})
                continue
            except Exception:
                log.exception("maintenance pass crashed", extra={"event": f"{self.duty}_crashed"})
                continue
            if changed:
                log.info("maintenance pass", extra={"event": f"{self.duty}_pass", "changed": changed})
