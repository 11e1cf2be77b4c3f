"""The one place where errors become RFC 9457 ``application/problem+json`` answers.

Handlers never build error responses: they raise, and this module maps the
exception to a status, a stable ``type`` and a message that names what was wrong.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from pydantic import BaseModel
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin

from app.db import DatabaseUnavailable
from app.errors import CourierError
from app.jobs.service import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidJobRequest,
    JobNotFound,
)
from app.keys.service import Unauthenticated
from app.tenants.rate_limit import RateLimited

log = logging.getLogger("courier.http")


class BadRequest(CourierError):
    """The request is malformed."""


class MissingIdempotencyKey(BadRequest):
    """Send an 'Idempotency-Key' header: a unique string of 1-255 printable ASCII characters
    per logical request (for example a UUID), repeated unchanged when you retry."""


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


_DESCRIPTIONS = {
    400: "Malformed request: bad JSON, a bad header or query parameter.",
    401: "Missing, unknown or revoked API key.",
    404: "No such resource for this tenant.",
    409: "Conflicts with the resource's current state or a request in flight.",
    413: "Request body too large.",
    422: "Well-formed but invalid content; `errors` names each field.",
    429: "The tenant's submission rate limit is exhausted; retry after Retry-After seconds.",
    503: "The database is unavailable; retry after Retry-After seconds.",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the problem answers an operation can give."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type="application/problem+json",
            generate_examples=False,
        )
        for status in statuses
    }


_STATUS: dict[type[CourierError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    JobNotFound: 404,
    IdempotencyKeyInFlight: 409,
    InvalidJobRequest: 422,
    IdempotencyKeyReused: 422,
    RateLimited: 429,
    DatabaseUnavailable: 503,
}
_RETRY_AFTER = {IdempotencyKeyInFlight: "1", DatabaseUnavailable: "2"}


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def courier_problem(exc: CourierError) -> ProblemDetailsException:
    cls = next((c for c in type(exc).__mro__ if c in _STATUS), None)
    if cls is None:
        return unexpected_problem(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    elif retry := next((v for c, v in _RETRY_AFTER.items() if isinstance(exc, c)), None):
        headers["Retry-After"] = retry
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="courier"'
    extra: dict[str, Any] | None = {"errors": exc.errors} if isinstance(exc, InvalidJobRequest) else None
    title = (type(exc).__doc__ or "").strip().splitlines()[0]
    return ProblemDetailsException(
        status_code=_STATUS[cls],
        type_=f"urn:courier:problem:{_slug(type(exc).__name__)}",
        title=title,
        detail=str(exc),
        headers=headers or None,
        extra=extra,
    )


def validation_problem(exc: ValidationException) -> ProblemDetailsException:
    # A well-formed body with invalid content is unprocessable (422); a bad query,
    # header or path parameter is a bad request (400).
    details = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        {"field": str(item.get("key") or item.get("source") or ""), "message": str(item.get("message"))}
        for item in details
        if isinstance(item, dict)
    ]
    for error in errors:
        if "idempotency" in f"{error['field']} {error['message']}".lower():
            error.update(field="Idempotency-Key", message=" ".join(MissingIdempotencyKey.__doc__.split()))
    # Litestar marks query, path, header and cookie errors with their source; what
    # is left came from the body.
    from_parameters = any(isinstance(i, dict) and i.get("source") not in (None, "body") for i in details)
    status = 400 if from_parameters or not details else 422
    if not errors:
        errors = [{"field": "", "message": exc.detail}]
    return ProblemDetailsException(
        status_code=status,
        type_="urn:courier:problem:invalid-request",
        title="The request is invalid.",
        detail="; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors),
        extra={"errors": errors},
    )


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=exc.status_code,
        type_=f"urn:courier:problem:http-{exc.status_code}",
        title=exc.detail,
        detail=exc.detail,
        headers=exc.headers,
    )


def unexpected_problem(exc: Exception) -> ProblemDetailsException:
    log.error("unexpected error", exc_info=exc, extra={"event": "http_unexpected_error"})
    return ProblemDetailsException(
        status_code=500,
        type_="urn:courier:problem:internal",
        title="Internal server error.",
        detail="Courier failed to handle the request; it was logged. Nothing partial was written.",
    )


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                CourierError: courier_problem,
                ValidationException: validation_problem,
                HTTPException: http_problem,
                Exception: unexpected_problem,
            }
        )
    )
