"""The outbox relay: delivers webhooks from the ``outbox`` table (a worker-side
loop; what a request carries, how it is signed and when it is retried are the
pure rules in app/delivery/outbox.py).

One failing receiver does not slow anyone else: a destination that fails is
paused (its backlog waits for one probe, with backoff) and the claim reads only
rows it may take (sql/outbox.sql: ``outbox_claim``, ``outbox_destination_failing``).

Safe in any number of processes: rows are claimed with ``FOR UPDATE SKIP LOCKED``
in a short transaction, delivered outside it, and the result is recorded only
under the claim token (a claim lapses if its relay dies). Every attempt is a row
in ``outbox_attempts``. Requests follow Standard Webhooks: ``webhook-id`` is the
event id (the same on every retry), ``webhook-signature`` signs
``id.timestamp.body`` with the endpoint's ``whsec_`` secret (and the previous one
during a rotation). Retries back off exponentially with jitter for about a day,
a ``Retry-After`` answer is honoured, 410 Gone disables the endpoint, redirects
are not followed.

A receiver cannot harm the relay: one deadline (``COURIER_DELIVERY_TIMEOUT_SECONDS``)
covers the whole attempt, so a receiver that answers a byte at a time is cut off and
its attempt recorded like any other; at most :data:`ANSWER_BYTES` of an answer are
read, raw, so a compressed answer is never inflated. The claim outlasts the deadline,
so a slow attempt never lets a second relay deliver the same row meanwhile.
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

from app.cancellation import raise_if_cancelled
from app.db import Database, DatabaseError
from app.delivery.listener import NotificationListener
from app.delivery.outbox import Attempt, Decision, OutboxClaim, decide, payload, sign
from app.delivery.ssrf import Destination, DestinationGuard, DestinationRefused
from app.metrics import WEBHOOK_FAILURES
from app.retry_after import parse_retry_after
from app.safety.redaction import redact
from app.settings import DeliverySettings

log = logging.getLogger("courier.delivery.relay")

CHANNEL = "courier_outbox"
USER_AGENT = "Courier-Webhooks/0.1"
ANSWER_BYTES = 4096
"""The most of a receiver's answer the relay reads (raw, never decompressed)."""


def _now() -> datetime:
    return datetime.now(UTC)


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
            allow_http=settings.allow_http,
            allow_list=settings.ssrf_allow_list,
            resolve_timeout_seconds=settings.resolve_timeout_seconds,
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
            raise_if_cancelled()
            self._wake.clear()
            free = self.settings.relay_concurrency - len(self._in_flight)
            rows: list[OutboxClaim] = []
            if free > 0:
                try:
                    rows = [
                        OutboxClaim.from_row(row)
                        for row in await self.db.fetch_all(
                            "outbox_claim", limit=free, claim_for=claim_for, now=None
                        )
                    ]
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
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # arrives as the wake-up does (a stop cancels deliveries, whose ends wake this
            # loop), and the relay then polls forever while its stop waits for it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.relay_poll_seconds):
                    await self._wake.wait()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        # A finished delivery may make the job's next event due at once.
        self._wake.set()

    async def _deliver_logged(self, row: OutboxClaim) -> None:
        try:
            await self.deliver(row)
        except ClaimLost:
            log.info("claim lost", extra={"event": "relay_claim_lost", "outbox_id": row.id})
        except DatabaseError as exc:
            log.warning(
                "recording a delivery failed",
                extra={"event": "relay_record_failed", "outbox_id": row.id, "error": str(exc)},
            )

    async def deliver(self, row: OutboxClaim) -> str:
        """Make one attempt at a claimed row and record it; returns the new status."""
        if not row.destination_live or not row.url:
            await self._settle(
                row, "cancelled", attempted=False, error="the destination was removed"
            )
            return "cancelled"
        number = row.attempts + 1
        attempt = await self._attempt(row)
        decision = decide(
            self.settings,
            attempt,
            number=number,
            created_at=row.created_at,
            now=_now(),
            destination_failures=row.destination_failures,
        )
        await self._record(row, number, attempt, decision)
        return decision.status

    async def _attempt(self, row: OutboxClaim) -> Attempt:
        """Send the row's event once, within one deadline for the whole attempt
        (resolving, connecting, sending, reading the answer), reading at most
        :data:`ANSWER_BYTES` of the answer and never decoding it."""
        assert row.url is not None  # deliver() settles rows without a destination
        secrets = await self._secrets(row)
        started, clock = _now(), time.perf_counter()
        destination: Destination | None = None
        observed: dict[str, Any] = {}
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                destination = await self.guard.check(row.url)
                status_code, retry_after = await self._post(destination, row, secrets)
        except DestinationRefused as exc:
            observed = {"error": f"destination refused: {exc}", "failure": "refused_url"}
        except (TimeoutError, httpx.TimeoutException):
            observed = {
                "error": f"no answer within {self.settings.timeout_seconds:g} s",
                "failure": "timeout",
            }
        except Exception as exc:  # whatever went wrong is this attempt's outcome, recorded
            error = f"{type(exc).__name__}: {exc}"
            if destination is not None:  # never where the name points
                error = destination.redact(error)
            observed = {"error": error[:500], "failure": "connection_error"}
        else:
            observed = {"status_code": status_code, "retry_after": retry_after}
            if not 200 <= status_code < 300:
                observed["error"] = f"HTTP {status_code}" + (
                    " (redirects are not followed)" if 300 <= status_code < 400 else ""
                )
                observed["failure"] = (
                    "gone" if status_code == 410 else f"http_{status_code // 100}xx"
                )
        latency_ms = int((time.perf_counter() - clock) * 1000)
        if observed.get("error"):  # stored in outbox and outbox_attempts: no PII, no secrets
            observed["error"] = redact(observed["error"])
        return Attempt(started, latency_ms, **observed)

    async def _post(
        self, destination: Destination, row: OutboxClaim, secrets: list[str]
    ) -> tuple[int, float | None]:
        """POST the signed event to the checked address; the answer's status and Retry-After."""
        body = json.dumps(payload(row, self.base_url), separators=(",", ":"), default=str)
        timestamp = _now()
        default_port = 443 if destination.scheme == "https" else 80
        headers = {
            "Host": destination.host
            if destination.port == default_port
            else f"{destination.host}:{destination.port}",
            "Content-Type": "application/json",
            # Only the status matters; ask for a body nobody has to decompress.
            "Accept-Encoding": "identity",
            "webhook-id": row.event_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": sign(secrets, row.event_id, timestamp, body),
        }
        extensions = {"sni_hostname": destination.host} if destination.scheme == "https" else None
        assert self._client is not None, "start() the relay first"
        async with self._client.stream(
            "POST",
            destination.pinned_url,
            content=body.encode(),
            headers=headers,
            extensions=extensions,
        ) as response:
            # Raw bytes, undecoded, and only the first few KiB: a compressed or endless
            # answer costs the relay nothing. A short answer read to its end lets the
            # connection be reused; a longer one is dropped with the connection.
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received >= ANSWER_BYTES:
                    break
            retry_after = parse_retry_after(
                response.headers.get("retry-after"),
                maximum=self.settings.retry_max_delay_seconds,
            )
            return response.status_code, retry_after

    async def _record(
        self, row: OutboxClaim, number: int, attempt: Attempt, decision: Decision
    ) -> None:
        """Record the attempt and its decision in one transaction, under the row's claim."""
        if decision.outcome != "delivered":
            # Counted once per failed attempt; a delivery given up counts as dead.
            WEBHOOK_FAILURES.labels(
                "dead" if decision.outcome == "failed" else attempt.failure or "other"
            ).inc()
        async with self.db.transaction() as conn:
            next_attempt_at = decision.next_attempt_at
            if decision.pause is not None:
                paused = await self.db.fetch_one(
                    "outbox_destination_failing",
                    conn,
                    destination_id=row.destination_id,
                    started_at=attempt.started_at,
                    probe_at=decision.pause.probe_at,
                    paused_until=decision.pause.until,
                )
                if next_attempt_at is not None:
                    # The probe keeps its time; an attempt that was already under way
                    # when another one paused the destination waits like the rest.
                    next_attempt_at = paused["next_attempt_at"]
            elif decision.recovered:
                await self.db.execute(
                    "outbox_destination_recovered", conn, destination_id=row.destination_id
                )
            await self._settle(
                row,
                decision.status,
                attempted=True,
                error=attempt.error,
                next_attempt_at=next_attempt_at,
                conn=conn,
            )
            await self.db.execute(
                "outbox_attempt_insert",
                conn,
                outbox_id=row.id,
                attempt=number,
                tenant_id=row.tenant_id,
                started_at=attempt.started_at,
                latency_ms=attempt.latency_ms,
                status_code=attempt.status_code,
                outcome=decision.outcome,
                error=attempt.error,
            )
            if decision.outcome == "gone" and row.endpoint_id is not None:
                reason = f"the receiver answered 410 Gone to {row.event_id}"
                await self.db.execute(
                    "webhook_endpoint_disable", conn, endpoint_id=row.endpoint_id, reason=reason
                )
                await self.db.execute(
                    "outbox_cancel_for_endpoint",
                    conn,
                    endpoint_id=row.endpoint_id,
                    reason=reason,
                )
        log.info(
            "webhook attempt",
            extra={
                "event": "webhook_attempt",
                "outbox_id": row.id,
                "event_id": row.event_id,
                "job_id": str(row.job_id),
                "tenant_id": str(row.tenant_id),
                "endpoint_id": str(row.endpoint_id),
                "attempt": number,
                "outcome": decision.outcome,
                "status_code": attempt.status_code,
                "latency_ms": attempt.latency_ms,
            },
        )

    async def _secrets(self, row: OutboxClaim) -> list[str]:
        if row.secret is None:  # the tenant's first callback: create its secret
            created = await self.db.fetch_one("callback_secret_ensure", tenant_id=row.tenant_id)
            return [created["secret"]]
        return [row.secret] + ([row.previous_secret] if row.previous_secret else [])

    async def _settle(
        self,
        row: OutboxClaim,
        status: str,
        *,
        attempted: bool,
        error: str | None,
        next_attempt_at: datetime | None = None,
        conn: Any = None,
    ) -> None:
        settled = await self.db.fetch_optional(
            "outbox_settle",
            conn,
            id=row.id,
            claim=row.claim,
            status=status,
            attempted=attempted,
            next_attempt_at=next_attempt_at,
            error=error,
        )
        if settled is None:  # the claim lapsed and was taken again, or was cancelled
            raise ClaimLost()
