"""Short-lived, read-only links to event streams.

A browser's ``EventSource`` cannot send an ``Authorization`` header and an API
key must never travel in a URL, so a job's ``links.events`` carries a token
instead: the tenant, the job (or none, for the tenant-wide stream), the key_id of
the API key that made the link, and an expiry, signed with HMAC-SHA256 under a
secret every API process shares.

A token is ``<kid>.<claims>.<signature>``: ``kid`` names the secret that signed it
(derived from the secret, so every process agrees without coordination). Several
secrets may verify at once — the one that signs now and, after a rotation, the
previous ones until they retire — so rotating the secret does not break the links
already handed out. This module is pure: which secrets exist and whether the key
behind a link is still live is :mod:`app.delivery.links`' business.

Anything that is not a well-formed token of ours (other characters, another shape,
claims of the wrong type) is refused with the same 401 as a bad signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from app.errors import UnauthenticatedError

# kid . base64url(claims) . base64url(SHA-256 HMAC): ASCII only, bounded in length.
_TOKEN = re.compile(
    r"(?P<kid>[0-9a-f]{12})\.(?P<body>[A-Za-z0-9_-]{1,600})\.(?P<sig>[A-Za-z0-9_-]{43})"
)
_KEY_ID = re.compile(r"[0-9a-f]{8}")


class InvalidStreamToken(UnauthenticatedError):
    """The stream token is malformed, expired or not valid for this stream."""


class UnknownSigningSecret(InvalidStreamToken):
    """The stream token was signed with a secret this process does not know."""


@dataclass(frozen=True)
class StreamGrant:
    """What a caller may read: the events of one tenant, optionally of one job only, for
    as long as the API key ``key_id`` (which presented itself or made the link) is live."""

    tenant_id: UUID
    key_id: str
    job_id: UUID | None = None

    def allows_job(self, job_id: UUID) -> bool:
        return self.job_id is None or self.job_id == job_id


@dataclass(frozen=True)
class SigningSecret:
    """A secret that verifies stream links until ``retires_at`` (None: not rotated out)."""

    value: bytes
    retires_at: datetime | None = None

    @property
    def kid(self) -> str:
        return hashlib.sha256(b"courier stream token kid" + self.value).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class StreamTokens:
    """Issues and verifies stream tokens under a set of secrets (:meth:`replace` swaps the
    set in place, so every holder of this object sees a rotation)."""

    def __init__(self, secrets: Sequence[SigningSecret]) -> None:
        self._keys: dict[str, tuple[bytes, datetime | None]] = {}
        self._signing = ""
        self.replace(secrets)

    def replace(self, secrets: Sequence[SigningSecret]) -> None:
        """Verify with ``secrets`` from now on; the first one that is not retiring signs
        (the first of all when every one is)."""
        if not secrets:
            raise ValueError("stream tokens need at least one secret")
        for secret in secrets:
            if len(secret.value) < 32:
                raise ValueError("a stream token secret must be at least 32 bytes")
        signing = next((s for s in secrets if s.retires_at is None), secrets[0])
        self._keys = {
            s.kid: (hashlib.sha256(b"courier stream token v2" + s.value).digest(), s.retires_at)
            for s in secrets
        }
        self._signing = signing.kid

    @property
    def signing_kid(self) -> str:
        return self._signing

    def issue(self, grant: StreamGrant, expires_at: datetime) -> str:
        claims = {
            "t": str(grant.tenant_id),
            "j": str(grant.job_id) if grant.job_id else None,
            "k": grant.key_id,
            "e": int(expires_at.timestamp()),
        }
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signed = f"{self._signing}.{body}"
        return f"{signed}.{self._sign(self._keys[self._signing][0], signed)}"

    def verify(self, token: str, now: datetime | None = None) -> StreamGrant:
        """The grant of a token this process can verify; :class:`UnknownSigningSecret` when
        its secret is unknown here (the caller may reload its secrets and try again)."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise InvalidStreamToken()
        now = now or datetime.now(UTC)
        known = self._keys.get(match["kid"])
        if known is None:
            raise UnknownSigningSecret()
        key, retires_at = known
        signed = f"{match['kid']}.{match['body']}"
        if not hmac.compare_digest(match["sig"], self._sign(key, signed)):
            raise InvalidStreamToken()
        if retires_at is not None and retires_at <= now:
            raise InvalidStreamToken(
                "the secret that signed this stream link was rotated out; "
                "read the job again for a fresh link"
            )
        try:
            claims = json.loads(_unb64(match["body"]))
            job = claims["j"]
            grant = StreamGrant(
                tenant_id=UUID(claims["t"]),
                key_id=claims["k"],
                job_id=UUID(job) if job is not None else None,
            )
            expires = claims["e"]
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise InvalidStreamToken() from exc
        if not isinstance(expires, int) or not isinstance(grant.key_id, str):
            raise InvalidStreamToken()
        if not _KEY_ID.fullmatch(grant.key_id):
            raise InvalidStreamToken()
        if expires < now.timestamp():
            raise InvalidStreamToken(
                "the stream token has expired; read the job again for a fresh link"
            )
        return grant

    @staticmethod
    def _sign(key: bytes, signed: str) -> str:
        return _b64(hmac.new(key, signed.encode(), hashlib.sha256).digest())
