"""Stopping a background loop even when a library swallowed the cancel.

On Python 3.11, ``asyncio.wait_for`` returns its awaitable's result instead of raising
when a cancel arrives just as that awaitable completes (fixed in 3.12). psycopg_pool
waits for a free connection with it, so a loop cancelled while it takes a connection can
go on as if nothing happened. The cancel is still on record (``Task.cancelling()``
stays above zero), and worse, every later ``asyncio.timeout`` in that task then takes
its own expiry for the outside cancel it is owed and raises ``TimeoutError``: a relay
polling with a timeout polls forever, and whoever awaits its stop hangs (seen in CI).

So each loop that runs until it is cancelled calls :func:`raise_if_cancelled` once per
turn: a swallowed cancel ends the loop at its next turn.
"""

from __future__ import annotations

import asyncio


def raise_if_cancelled() -> None:
    """Raise ``CancelledError`` if the current task was asked to stop and something
    below swallowed it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
