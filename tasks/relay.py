"""The outbox relay: delivers webhooks from the ``outbox`` table (a worker-side
loop; what a request carries, how it is signed and when it is retried are the
pure rules in app/delivery/outbox.py).

Safe in any number of processes: rows are claimed with ``FOR UPDATE SKIP LOCKED``
in a short transaction, delivered outside it, and the result is recorded only
under the claim token (a claim lapses if its relay dies). Every attempt is a row
in ``outbox_attempts``. Requests follow Standard Webhooks: ``webhook-id`` is the
event id (the same on every retry), ``webhook-signature`` signs
``id.timestamp.body`` with the endpoint's ``whsec_`` secret (and the previous one
during a rotation). Retries back off exponentially with jitter for about a day,
a ``Retry-After`` answer is honoured, 410 Gone disables the endpoint, redirects
are not followed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.db import Database, DatabaseError, NotFound
from app.delivery.listener import NotificationListener
from app.delivery.outbox import payload, retry_delay, sign
from app.delivery.ssrf import DestinationGuard, DestinationRefused
from app.metrics import WEBHOOK_FAILURES
from app.retry_after import parse_retry_after
from app.settings import DeliverySettings

log = logging.getLogger("courier.delivery.relay")

CHANNEL = "courier_outbox"
USER_AGENT = "Courier-Webhooks/0.1"


class ClaimLost(Exception):
    """Our claim on an outbox row lapsed or was cancelled: record nothing."""


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        url: str,
        settings: DeliverySettings,
        *,
        base_url: str = "",
        name: str = "courier-relay",
    ) -> None:
        self.db = db
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.guard = DestinationGuard(
            allow_http=settings.allow_http, allow_list=settings.ssrf_allow_list
        )
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.listener = NotificationListener(
            url,
            [CHANNEL],
            on_notification=lambda _: self._wake.set(),
            on_connected=self._wake.set,
            name=name,
        )

    async def start(self) -> None:
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=self.settings.timeout_seconds,
            headers={"User-Agent": USER_AGENT},
        )
        await self.listener.start()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")
        log.info("relay started", extra={"event": "relay_started"})

    async def stop(self) -> None:
        tasks = [t for t in [self._task, *self._in_flight] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.listener.stop()
        if self._client is not None:
            await self._client.aclose()

    async def run_forever(self) -> None:
        """Start, run until cancelled, stop."""
        await self.start()
        try:
            await asyncio.Future()
        finally:
            await self.stop()

    async def _run(self) -> None:
        claim_for = timedelta(seconds=self.settings.timeout_seconds + 30)
        while True:
            self._wake.clear()
            free = self.settings.relay_concurrency - len(self._in_flight)
            rows: list[dict[str, Any]] = []
            if free > 0:
                try:
                    rows = await self.db.fetch_all("outbox_claim", limit=free, claim_for=claim_for)
                except DatabaseError as exc:
                    log.warning(
                        "claim failed", extra={"event": "relay_claim_failed", "error": str(exc)}
                    )
                for row in rows:
                    task = asyncio.create_task(self._deliver_logged(row))
                    self._in_flight.add(task)
                    task.add_done_callback(self._done)
                if rows and len(rows) == free:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.relay_poll_seconds)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        # A finished delivery may make the job's next event due at once.
        self._wake.set()

    async def _deliver_logged(self, row: dict[str, Any]) -> None:
        try:
            await self.deliver(row)
        except ClaimLost:
            log.info("claim lost", extra={"event": "relay_claim_lost", "outbox_id": row["id"]})
        except DatabaseError as exc:
            log.warning(
                "recording a delivery failed",
                extra={"event": "relay_record_failed", "outbox_id": row["id"], "error": str(exc)},
            )

    async def deliver(self, row: dict[str, Any]) -> str:
        """Make one attempt at a claimed row and record it; returns the new status."""
        context = {
            "outbox_id": row["id"],
            "event_id": row["event_id"],
            "job_id": str(row["job_id"]),
            "tenant_id": str(row["tenant_id"]),
            "endpoint_id": str(row["endpoint_id"]),
        }
        if not row["destination_live"] or not row["url"]:
            await self._settle(
                row, "cancelled", attempted=False, error="the destination was removed"
            )
            return "cancelled"
        secrets = await self._secrets(row)
        attempt = row["attempts"] + 1
        started = datetime.now(UTC)
        clock = time.perf_counter()
        status_code: int | None = None
        retry_after: float | None = None
        error: str | None = None
        failure: str | None = None  # why the attempt failed, for courier_webhook_failures
        refused = False
        try:
            destination = await self.guard.check(row["url"])
        except DestinationRefused as exc:
            refused, error, failure = True, f"destination refused: {exc}", "refused_url"
        else:
            body = json.dumps(payload(row, self.base_url), separators=(",", ":"), default=str)
            timestamp = datetime.now(UTC)
            default_port = 443 if destination.scheme == "https" else 80
            headers = {
                "Host": destination.host
                if destination.port == default_port
                else f"{destination.host}:{destination.port}",
                "Content-Type": "application/json",
                "webhook-id": row["event_id"],
                "webhook-timestamp": str(int(timestamp.timestamp())),
                "webhook-signature": sign(secrets, row["event_id"], timestamp, body),
            }
            extensions = (
                {"sni_hostname": destination.host} if destination.scheme == "https" else None
            )
            try:
                assert self._client is not None, "start() the relay first"
                response = await self._client.post(
                    destination.pinned_url,
                    content=body.encode(),
                    headers=headers,
                    extensions=extensions,
                )
                status_code = response.status_code
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"),
                    maximum=self.settings.retry_max_delay_seconds,
                )
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}" + (
                        " (redirects are not followed)" if 300 <= status_code < 400 else ""
                    )
                    failure = "gone" if status_code == 410 else f"http_{status_code // 100}xx"
            except httpx.TimeoutException:
                error, failure = f"no answer within {self.settings.timeout_seconds:g} s", "timeout"
            except httpx.HTTPError as exc:
                error, failure = f"{type(exc).__name__}: {exc}"[:500], "connection_error"
        latency_ms = int((time.perf_counter() - clock) * 1000)

        next_attempt_at = None
        if status_code is not None and 200 <= status_code < 300:
            status, outcome = "delivered", "delivered"
        elif status_code == 410:
            status, outcome = "failed", "gone"
        else:
            delay = retry_delay(self.settings, attempt, retry_after=retry_after)
            next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
            if next_attempt_at > row["created_at"] + timedelta(
                seconds=self.settings.retry_window_seconds
            ):
                status, outcome, next_attempt_at = "failed", "failed", None
            else:
                status, outcome = "pending", "refused" if refused else "retry"
        if outcome != "delivered":
            # Counted once per failed attempt; a delivery given up counts as dead.
            WEBHOOK_FAILURES.labels("dead" if outcome == "failed" else failure or "other").inc()

        async with self.db.transaction() as conn:
            await self._settle(
                row, status, attempted=True, error=error, next_attempt_at=next_attempt_at, conn=conn
            )
            await self.db.execute(
                "outbox_attempt_insert",
                conn,
                outbox_id=row["id"],
                attempt=attempt,
                tenant_id=row["tenant_id"],
                started_at=started,
                latency_ms=latency_ms,
                status_code=status_code,
                outcome=outcome,
                error=error,
            )
            if outcome == "gone" and row["endpoint_id"] is not None:
                reason = f"the receiver answered 410 Gone to {row['event_id']}"
                await self.db.execute(
                    "webhook_endpoint_disable", conn, endpoint_id=row["endpoint_id"], reason=reason
                )
                await self.db.execute(
                    "outbox_cancel_for_endpoint",
                    conn,
                    endpoint_id=row["endpoint_id"],
                    reason=reason,
                )
        log.info(
            "webhook attempt",
            extra={
                "event": "webhook_attempt",
                "attempt": attempt,
                "outcome": outcome,
                "status_code": status_code,
                "latency_ms": latency_ms,
                **context,
            },
        )
        return status

    async def _secrets(self, row: dict[str, Any]) -> list[str]:
        if row["secret"] is None:  # the tenant's first callback: create its secret
            created = await self.db.fetch_one("callback_secret_ensure", tenant_id=row["tenant_id"])
            return [created["secret"]]
        return [row["secret"]] + ([row["previous_secret"]] if row["previous_secret"] else [])

    async def _settle(
        self,
        row: dict[str, Any],
        status: str,
        *,
        attempted: bool,
        error: str | None,
        next_attempt_at: datetime | None = None,
        conn: Any = None,
    ) -> None:
        try:
            await self.db.fetch_one(
                "outbox_settle",
                conn,
                id=row["id"],
                claim=row["claim"],
                status=status,
                attempted=attempted,
                next_attempt_at=next_attempt_at,
                error=error,
            )
        except NotFound as exc:
            raise ClaimLost() from exc
