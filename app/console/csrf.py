"""CSRF protection of the console's state-changing requests.

Two independent checks, both required on every POST:

* the request comes from this origin: a browser's ``Sec-Fetch-Site`` must say
  ``same-origin`` and an ``Origin`` header, when sent, must be this server's own
  (or ``COURIER_API_PUBLIC_URL``'s); the session cookie is ``SameSite=Strict`` as well;
* a signed-in form carries the session's synchronizer token (``csrf_token``, derived
  from the session token: app/console/session.py), compared in constant time.

Sign-in has no session yet, so only the first applies to it (a cross-site page cannot
sign a browser in with the attacker's key).
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from app.console.session import Viewer
from app.errors import BadRequestError, ForbiddenError

FIELD = "csrf_token"
_MAX_FIELD_CHARS = 100_000


class CrossSiteRequestRefused(ForbiddenError):
    """This console request did not come from a console page of this site (CSRF check)."""


class InvalidConsoleForm(BadRequestError):
    """The console form is malformed."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def same_origin_changes(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard of the console router: a state-changing request another site made is
    refused (403) before anything else, even the session lookup, happens."""
    if connection.scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
        check_same_origin(connection)


def check_same_origin(request: ASGIConnection) -> None:
    """Refuse a request a browser says came from another site."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        raise CrossSiteRequestRefused(f"Sec-Fetch-Site is {fetch_site!r}, not same-origin")
    origin = request.headers.get("origin")
    if origin is None:
        return
    allowed = {_origin(str(request.base_url))}
    public_url = request.app.state.settings.api.public_url
    if public_url:
        allowed.add(_origin(public_url))
    if origin.lower() not in allowed:
        raise CrossSiteRequestRefused("the Origin of this request is another site")


async def checked_form(request: Request[Any, Any, Any], viewer: Viewer | None) -> dict[str, str]:
    """The fields of a console form (text only, one value each), after the CSRF checks;
    without a viewer (sign-in) only the origin is checked."""
    check_same_origin(request)
    form = await request.form()
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            raise InvalidConsoleForm(f"{name!r} must be text, not a file")
        if "\x00" in value or len(value) > _MAX_FIELD_CHARS:
            raise InvalidConsoleForm(
                f"{name!r} must be at most {_MAX_FIELD_CHARS} characters of text (no NUL)"
            )
        fields[name] = value
    if viewer is not None and not hmac.compare_digest(
        fields.get(FIELD, "").encode(), viewer.csrf_token.encode()
    ):
        raise CrossSiteRequestRefused("the form's CSRF token is missing or wrong; reload the page")
    return fields
