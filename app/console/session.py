"""Console sign-in: an API key exchanged for a server-side session, and the signed-in
viewer every console page depends on.

The browser holds only a random session token, in an ``HttpOnly``, ``SameSite=Strict``
cookie scoped to ``/console`` (``Secure`` over https). The database keeps the token's
SHA-256 and the key_id of the key that opened it (``console_sessions``,
migrations/0023); the key itself is never stored, put in a URL or logged. Every
request resolves the session together with its key, so a session ends when it
expires, when it is signed out, and at once when its key is revoked.

Pages declare ``viewer: NamedDependency[Viewer]`` (the dependency is registered on
the console router as ``viewer``); without a live session they redirect to sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from litestar import Request
from litestar.datastructures import Cookie, State

from app.db import Database
from app.keys.service import Principal, hash_key, principal_from_row

COOKIE = "courier_console"
COOKIE_PATH = "/console"
SIGN_IN_PATH = "/console/sign-in"


class SignInRequired(Exception):
    """No live console session: the browser is sent to the sign-in page (a redirect,
    not an error; app/console/controllers.py handles it)."""


@dataclass(frozen=True)
class Viewer:
    """Who is signed in to the console: the principal of the session's API key (tenant,
    user, groups, roles), and the CSRF token its forms carry."""

    principal: Principal
    csrf_token: str
    expires_at: datetime
    session_id: str
    """The hex SHA-256 of the session token: how a sign-out names the session to the
    streams it ends (app/delivery/sse.py)."""

    @property
    def is_reviewer(self) -> bool:
        return "reviewer" in self.principal.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.principal.roles


@dataclass(frozen=True)
class OpenedSession:
    token: str
    expires_at: datetime


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def csrf_token_for(token: str) -> str:
    """The synchronizer token of a session: derived from the session token, which only
    the server and the HttpOnly cookie know, so a page of another site cannot compute it."""
    digest = hmac.new(token.encode(), b"courier console csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class ConsoleSessions:
    def __init__(self, db: Database, *, ttl_seconds: int) -> None:
        self.db = db
        self.ttl_seconds = ttl_seconds

    async def open(self, key: str) -> OpenedSession | None:
        """A new session for a live API key; None for an unknown or revoked key."""
        await self.db.execute("console_session_delete_expired", now=None)
        token = secrets.token_urlsafe(32)
        row = await self.db.fetch_optional(
            "console_session_open",
            key_hash=hash_key(key),
            token_hash=_token_hash(token),
            ttl_seconds=self.ttl_seconds,
        )
        if row is None:
            return None
        return OpenedSession(token=token, expires_at=row["expires_at"])

    async def viewer(self, token: str) -> Viewer | None:
        """The viewer of a live session whose key is live, else None."""
        token_hash = _token_hash(token)
        row = await self.db.fetch_optional("console_session_principal", token_hash=token_hash)
        if row is None:
            return None
        return Viewer(
            principal_from_row(row), csrf_token_for(token), row["expires_at"], token_hash.hex()
        )

    async def close(self, token: str) -> None:
        await self.db.execute("console_session_delete", token_hash=_token_hash(token))


def session_cookie(request: Request, token: str, max_age: int) -> Cookie:
    """The session cookie (``max_age`` 0 deletes it)."""
    return Cookie(
        key=COOKIE,
        value=token,
        path=COOKIE_PATH,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def provide_sessions(state: State) -> ConsoleSessions:
    # Holds nothing but the pool and a setting: made per request, not kept on Services.
    ttl_seconds = state.settings.api.console_session_seconds
    return ConsoleSessions(state.services.db, ttl_seconds=ttl_seconds)


async def provide_viewer(request: Request, state: State) -> Viewer:
    """The dependency of every signed-in console page: the viewer, or a redirect to
    sign-in (:class:`SignInRequired`)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        raise SignInRequired()
    viewer = await provide_sessions(state).viewer(token)
    if viewer is None:
        raise SignInRequired()
    # For the error page, should the page fail: it still shows who is signed in.
    request.state.console_viewer = viewer
    return viewer
