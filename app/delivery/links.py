"""Stream links as the API hands them out and checks them.

A link is a :mod:`stream token <app.delivery.tokens>` signed with the secrets in
``stream_token_secrets`` (or the ones configured in
``COURIER_DELIVERY_STREAM_TOKEN_SECRET`` and ``..._PREVIOUS_SECRETS``), and it
follows the API key that made it: it opens a stream only while that key is live,
and revoking the key also ends the streams already open
(:class:`app.delivery.sse.EventStreams`).

Rotation (``courier stream-secret rotate``) adds a secret and gives the others a
retirement time. Every API process reloads its secrets when the table changes (a
notification on the process's LISTEN connection), after that connection was
reopened, and when a link names a secret it does not know yet (at most once a
second, so forged links cannot make it read the database on every request).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any

from app.db import Database
from app.delivery.tokens import (
    InvalidStreamToken,
    SigningSecret,
    StreamGrant,
    StreamTokens,
    UnknownSigningSecret,
)
from app.errors import CourierError
from app.settings import DeliverySettings

log = logging.getLogger("courier.delivery.links")

SECRETS_CHANNEL = "courier_stream_token_secrets"
# A link naming an unknown secret reloads the secrets at most this often, in seconds.
_RELOAD_AT_MOST_EVERY = 1.0


class StreamKeyRevoked(InvalidStreamToken):
    """The API key that made this stream link was revoked; ask for a new link."""


class StreamSecretConfigured(CourierError):
    """The stream link secret is configured in the environment, not kept in the database."""


class StreamLinks:
    def __init__(self, db: Database, tokens: StreamTokens, *, configured: bool) -> None:
        self.db = db
        self.tokens = tokens
        self.configured = configured
        self._reloaded_at = 0.0
        self._reloading: asyncio.Task[None] | None = None

    @classmethod
    async def load(cls, db: Database, settings: DeliverySettings) -> StreamLinks:
        """The configured secrets when ``stream_token_secret`` is set, else the database's."""
        if settings.stream_token_secret:
            secrets = [
                SigningSecret(secret.encode())
                for secret in [
                    settings.stream_token_secret,
                    *settings.stream_token_previous_secrets,
                ]
            ]
            return cls(db, StreamTokens(secrets), configured=True)
        links = cls(db, StreamTokens(await _stored_secrets(db)), configured=False)
        links._reloaded_at = time.monotonic()
        return links

    async def reload(self) -> None:
        """Read the stored secrets again (nothing to do for configured ones)."""
        if self.configured:
            return
        self._reloaded_at = time.monotonic()
        self.tokens.replace(await _stored_secrets(self.db))
        log.info(
            "stream link secrets loaded",
            extra={"event": "stream_secrets_loaded", "signing_kid": self.tokens.signing_kid},
        )

    def reload_soon(self, _payload: str = "") -> None:
        """:meth:`reload` in the background (a notification handler cannot wait)."""
        if self.configured or self._reloading is not None:
            return
        self._reloading = asyncio.create_task(self._reload_logged(), name="stream-links-reload")

    async def _reload_logged(self) -> None:
        try:
            await self.reload()
        except CourierError as exc:
            log.warning(
                "reloading stream link secrets failed",
                extra={"event": "stream_secrets_reload_failed", "error": str(exc)},
            )
        finally:
            self._reloading = None

    async def verify(self, token: str) -> StreamGrant:
        """The grant of a stream link: well-formed, signed by a secret that still verifies,
        not expired, and made by an API key that is still live."""
        try:
            grant = self.tokens.verify(token)
        except UnknownSigningSecret:
            # Perhaps a secret another process already knows (a rotation just now).
            if self.configured or time.monotonic() - self._reloaded_at < _RELOAD_AT_MOST_EVERY:
                raise
            await self.reload()
            grant = self.tokens.verify(token)
        live = await self.live_keys([grant.key_id])
        if live.get(grant.key_id) != grant.tenant_id:
            raise StreamKeyRevoked()
        return grant

    async def live_keys(self, key_ids: list[str]) -> dict[str, Any]:
        """The tenant of each of ``key_ids`` that belongs to a live key."""
        rows = await self.db.fetch_all("api_key_live_list", key_ids=key_ids)
        return {row["key_id"]: row["tenant_id"] for row in rows}


async def rotate_stream_secret(db: Database, overlap: timedelta) -> dict[str, Any]:
    """An operator's action (``db`` acts as the schema owner): a new secret signs stream
    links from now on; the previous ones verify for ``overlap`` more. Returns
    ``created_at`` and ``previous_retire_at``."""
    return await db.fetch_one("stream_token_secret_rotate", overlap=overlap)


async def _stored_secrets(db: Database) -> list[SigningSecret]:
    rows = await db.fetch_all("stream_token_secret_list")
    return [SigningSecret(bytes(row["value"]), row["retires_at"]) for row in rows]
