"""Rendering console pages: Jinja2 templates shipped in the package (autoescape on),
answered with a strict Content-Security-Policy.

The policy allows nothing but this origin's own stylesheet, script, images and
connections (the event stream), no inline script or style, no framing, and forms
that post only here: an output or input that slipped markup past escaping still
could not run or load anything.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Response

from app.console.session import Viewer

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: with it Chromium sends "Origin: null" on the console's own form
    # posts, which the CSRF check (app/console/csrf.py) must refuse.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Pages show a tenant's data: never kept by a shared cache or the back button.
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["age"] = age
    env.filters["usd"] = usd
    env.filters["web_url"] = web_url
    env.filters["json_text"] = json_text
    env.filters["ms"] = milliseconds
    return env


def render(
    template: str,
    *,
    viewer: Viewer | None,
    status_code: int = 200,
    nav: str = "",
    **context: Any,
) -> Response[str]:
    """A console page; ``nav`` names the navigation entry to mark current."""
    html = environment().get_template(template).render(viewer=viewer, nav=nav, **context)
    return Response(
        html,
        status_code=status_code,
        # Litestar adds "; charset=utf-8" to a text/* type itself.
        media_type="text/html",
        headers=SECURITY_HEADERS,
    )


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, shortly: ``42s``, ``5m``, ``3h``, ``2d``."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else None: a document's URL is a tenant's data,
    and a ``javascript:`` one must not become a link."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def usd(amount: Decimal | float | int | None) -> str:
    if amount is None:
        return ""
    return f"${Decimal(amount):.4f}"


def json_text(data: Any, indent: int | None = 2) -> str:
    """``data`` as readable JSON text: non-ASCII as itself (``Rückerstattung``, not
    ``R\\u00fcckerstattung``) and quotes, ``&``, ``<`` as written. Not markup: autoescape
    escapes it where it is shown, so a ``<script>`` in it is shown, inert."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


def milliseconds(value: float | None) -> str:
    """A latency: ``12 ms``; under one millisecond ``<1 ms`` rather than ``0 ms``."""
    if value is None:
        return ""
    if value < 1:
        return "<1 ms"
    return f"{value:.0f} ms"
