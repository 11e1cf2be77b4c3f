"""Authentication and authorisation of HTTP requests (Litestar guards and the
``principal`` dependency), shared by every controller."""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from app.errors import ForbiddenError
from app.keys.service import Principal


class AdminRequired(ForbiddenError):
    """This needs an API key with the 'admin' role."""


class ReviewerRequired(ForbiddenError):
    """This needs an API key with the 'reviewer' role."""


async def authenticated(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: the caller presents a live API key. Runs before parameters are
    validated, so an anonymous caller learns nothing but 401. Stream endpoints
    (``opt={"stream_token": True}``) authenticate in their ``grant`` dependency,
    which also accepts a stream token."""
    if handler.opt.get("stream_token"):
        return
    keys = connection.app.state.services.keys
    connection.state.principal = await keys.authenticate(connection.headers.get("authorization"))


async def admin_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard (after :func:`authenticated`): the key has the ``admin`` role."""
    if "admin" not in connection.state.principal.roles:
        raise AdminRequired()


async def reviewer_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard (after :func:`authenticated`): the key has the ``reviewer`` role."""
    if "reviewer" not in connection.state.principal.roles:
        raise ReviewerRequired()


def provide_principal(request: Request) -> Principal:
    """The principal :func:`authenticated` found."""
    return request.state.principal
