"""What background duties share: a loop of ticks that survives database outages
(:class:`PeriodicDuty`), and for duties done by one process at a time, passes
under an advisory lock, each bounded in time (:class:`MaintenanceService`)."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime

from app.cancellation import raise_if_cancelled
from app.db import Connection, Database, DatabaseError

log = logging.getLogger("courier.maintenance")


class PeriodicDuty:
    """A background duty of a worker: :meth:`tick` every ``interval`` seconds (with a
    little jitter, so many workers do not beat in step) until stopped. A failed tick
    is logged and the next one tries again: a database outage never stops the worker."""

    duty = "duty"

    def __init__(self, *, interval: float) -> None:
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> int:
        """Do the duty once; returns how many things it changed (for the log)."""
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
            raise_if_cancelled()
            await asyncio.sleep(self.interval * random.uniform(0.8, 1.2))
            try:
                changed = await self.tick()
            except (DatabaseError, TimeoutError) as exc:
                # The database is down or slow: the next tick tries again.
                log.warning(
                    "maintenance pass failed",
                    extra={"event": f"{self.duty}_failed", "error": repr(exc)},
                )
                continue
            except Exception:
                log.exception("maintenance pass crashed", extra={"event": f"{self.duty}_crashed"})
                continue
            if changed:
                log.info(
                    "maintenance pass", extra={"event": f"{self.duty}_pass", "changed": changed}
                )


class MaintenanceService(PeriodicDuty):
    """A duty done in one transaction at a time across all processes: a pass runs
    only while holding the duty's advisory lock, and is given at most
    ``pass_timeout`` seconds, so a stuck pass cannot stall the duty: the next one
    starts on time and, if the stuck one's process died, its lock died with its
    connection."""

    duty = "maintenance"

    def __init__(self, db: Database, *, interval: float, pass_timeout: float = 30.0) -> None:
        super().__init__(interval=interval)
        self.db = db
        self.pass_timeout = pass_timeout

    async def tick(self) -> int:
        return await self.run_pass()

    async def run_pass(self, now: datetime | None = None) -> int:
        """One pass under the duty's lock; returns how many jobs it changed (0 when
        another process holds the lock)."""
        async with asyncio.timeout(self.pass_timeout), self.db.transaction() as conn:
            locked = await self.db.fetch_one(
                "maintenance_lock_try", conn, duty=f"courier.{self.duty}"
            )
            if not locked["locked"]:
                return 0
            return await self.work(conn, now)

    async def work(self, conn: Connection, now: datetime | None) -> int:
        raise NotImplementedError
