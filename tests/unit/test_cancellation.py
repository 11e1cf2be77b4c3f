"""A background loop stops even when a cancel is swallowed below it (app/cancellation.py):
on Python 3.11 ``asyncio.wait_for``, which psycopg_pool waits for connections with, can
return a result instead of raising when the cancel and the result arrive together."""

from __future__ import annotations

import asyncio

from tasks.maintenance.service import PeriodicDuty


class SwallowingDuty(PeriodicDuty):
    """A duty whose pass swallows a cancel, as a 3.11 wait_for can."""

    duty = "swallowing"

    def __init__(self) -> None:
        super().__init__(interval=0.01)
        self.in_pass = asyncio.Event()
        self.swallowed = 0

    async def tick(self) -> int:
        self.in_pass.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            self.swallowed += 1
        return 0


async def test_periodic_duty__ends_at_its_next_turn_when_a_pass_swallowed_the_cancel():
    duty = SwallowingDuty()
    duty.start()
    task = duty._task
    assert task is not None
    async with asyncio.timeout(10):
        await duty.in_pass.wait()
    task.cancel()  # once, inside the pass: swallowed there
    done, _ = await asyncio.wait({task}, timeout=10)
    assert duty.swallowed == 1
    assert done == {task} and task.cancelled()  # without raise_if_cancelled: runs forever
    await duty.stop()
