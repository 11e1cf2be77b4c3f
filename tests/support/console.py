"""Signing in to the web console over HTTP (httpx), as a browser would."""

from __future__ import annotations

import re

import httpx

from app.console.session import COOKIE

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """POST the sign-in form as a same-origin browser would; the client keeps the cookie."""
    return await client.post(
        "/console/sign-in",
        data={"key": key},
        headers=same_origin(client),
    )


def same_origin(client: httpx.AsyncClient) -> dict[str, str]:
    origin = str(client.base_url).rstrip("/")
    return {"Origin": origin, "Sec-Fetch-Site": "same-origin"}


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match[1]


def session_token(client: httpx.AsyncClient) -> str:
    return client.cookies[COOKIE]
