"""The console's routes: ``console_router()`` is registered by app/http.py.

Pages depend on ``viewer`` (app/console/session.py); every POST goes through
:func:`app.console.csrf.checked_form`. Errors on console routes are answered as
small HTML pages with the same status the API would give (4xx), and a missing or
ended session redirects to sign-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from app.console.costs import costs
from app.console.csrf import checked_form, same_origin_changes
from app.console.jobs import JOB_HANDLERS
from app.console.pages import SECURITY_HEADERS, render
from app.console.reviews import REVIEW_HANDLERS
from app.console.session import (
    COOKIE,
    SIGN_IN_PATH,
    ConsoleSessions,
    SignInRequired,
    Viewer,
    provide_sessions,
    provide_viewer,
    session_cookie,
)
from app.errors import PublicError

STATIC = Path(__file__).parent / "static"
HOME = "/console/jobs"


@get("/", name="console_home")
async def home(viewer: NamedDependency[Viewer]) -> Redirect:
    return Redirect(HOME, status_code=303)


@get("/sign-in")
async def sign_in_page() -> Response[str]:
    return render("sign_in.html", viewer=None, error=None)


@post("/sign-in", status_code=303)
async def sign_in(request: Request, sessions: NamedDependency[ConsoleSessions]) -> Response[Any]:
    form = await checked_form(request, None)
    session = await sessions.open(form.get("key", "").strip())
    if session is None:
        return render(
            "sign_in.html",
            viewer=None,
            status_code=401,
            error="That API key is unknown or revoked.",
        )
    response = Redirect(HOME, status_code=303)
    response.set_cookie(session_cookie(request, session.token, sessions.ttl_seconds))
    return response


@post("/sign-out", status_code=303)
async def sign_out(
    request: Request, viewer: NamedDependency[Viewer], sessions: NamedDependency[ConsoleSessions]
) -> Redirect:
    await checked_form(request, viewer)
    await sessions.close(request.cookies[COOKIE])
    response = Redirect(SIGN_IN_PATH, status_code=303)
    response.set_cookie(session_cookie(request, "", 0))
    return response


@get("/session", status_code=204)
async def session_live(viewer: NamedDependency[Viewer]) -> None:
    """204 while the session is live, else the redirect to sign-in: the page's script
    asks when its live stream drops, to say "signed out" rather than "reconnecting"."""


def _to_sign_in(request: Request, exc: SignInRequired) -> Response[Any]:
    response = Redirect(SIGN_IN_PATH, status_code=303)
    if COOKIE in request.cookies:
        response.set_cookie(session_cookie(request, "", 0))
    return response


def error_page(request: Request, exc: Exception) -> Response[str]:
    if isinstance(exc, PublicError):
        error = exc.describe()
        status, title, detail = error.status, error.title, error.detail
        headers = error.headers
    else:
        assert isinstance(exc, HTTPException)
        status, title, detail = exc.status_code, "Request refused", exc.detail
        headers = {}
    # The viewer, when the failing page had resolved it (app/console/session.py): the
    # page keeps its navigation and Sign out.
    viewer = getattr(request.state, "console_viewer", None)
    response = render("error.html", viewer=viewer, status_code=status, title=title, detail=detail)
    response.headers.update(headers)
    return response


def console_router() -> list[Router]:
    """The console's pages under /console and its static files under /console/static;
    kept out of the OpenAPI document (they are HTML, not the API)."""
    pages = Router(
        path="/console",
        route_handlers=[
            home,
            sign_in_page,
            sign_in,
            sign_out,
            session_live,
            costs,
            *JOB_HANDLERS,
            *REVIEW_HANDLERS,
        ],
        dependencies={
            "viewer": Provide(provide_viewer),
            "sessions": Provide(provide_sessions, sync_to_thread=False),
        },
        guards=[same_origin_changes],
        exception_handlers={
            SignInRequired: _to_sign_in,
            PublicError: error_page,
            # Named as well: the API's problem+json handler for it would win otherwise.
            ValidationException: error_page,
            HTTPException: error_page,
        },
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/console/static",
        directories=[STATIC],
        name="console_static",
        include_in_schema=False,
        after_request=_static_headers,
    )
    return [pages, static]


async def _static_headers(response: Any) -> Any:
    response.headers["X-Content-Type-Options"] = SECURITY_HEADERS["X-Content-Type-Options"]
    return response
