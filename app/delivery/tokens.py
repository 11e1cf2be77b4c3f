"""Short-lived, read-only links to event streams.

A browser's ``EventSource`` cannot send an ``Authorization`` header and an API
key must never travel in a URL, so a job's ``links.events`` carries a token
instead: the tenant, the job (or none, for the tenant-wide stream) and an expiry,
signed with HMAC-SHA256 under a secret every API process shares (a setting, or
the one the migration generated and kept in ``courier_secrets``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from app.errors import UnauthenticatedError


class InvalidStreamToken(UnauthenticatedError):
    """The stream token is malformed, expired or not valid for this stream."""


@dataclass(frozen=True)
class StreamGrant:
    """What a caller may read: the events of one tenant, optionally of one job only."""

    tenant_id: UUID
    job_id: UUID | None = None

    def allows_job(self, job_id: UUID) -> bool:
        return self.job_id is None or self.job_id == job_id


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class StreamTokens:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the stream token secret must be at least 32 bytes")
        self._key = hashlib.sha256(b"courier stream token v1" + secret).digest()

    def issue(self, grant: StreamGrant, expires_at: datetime) -> str:
        claims = {
            "t": str(grant.tenant_id),
            "j": str(grant.job_id) if grant.job_id else None,
            "e": int(expires_at.timestamp()),
        }
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, now: datetime | None = None) -> StreamGrant:
        body, _, signature = token.partition(".")
        if not body or not hmac.compare_digest(signature, self._sign(body)):
            raise InvalidStreamToken()
        try:
            claims = json.loads(_unb64(body))
            grant = StreamGrant(UUID(claims["t"]), UUID(claims["j"]) if claims["j"] else None)
            expires = int(claims["e"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidStreamToken() from exc
        if expires < (now or datetime.now(UTC)).timestamp():
            raise InvalidStreamToken(
                "the stream token has expired; read the job again for a fresh link"
            )
        return grant

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
