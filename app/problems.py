"""The one place where errors become RFC 9457 ``application/problem+json`` answers.

Handlers never build error responses: they raise, and this module maps the
exception to a status, a stable ``type`` and a message that names what was wrong.
It knows no area's errors, only their categories (``app/errors.py``): a public
error describes itself, and any other exception is an internal 500.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from pydantic import BaseModel

from app.errors import CourierError, MissingIdempotencyKey, PublicError

log = logging.getLogger("courier.http")


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
    400: "Malformed request: bad or too deeply nested JSON, a bad header or query parameter.",
    401: "Missing, unknown or revoked API key (or stream token).",
    403: "The API key lacks the role this needs (e.g. admin).",
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


def courier_problem(exc: CourierError) -> ProblemDetailsException:
    """A public error as its category describes it; any other CourierError is internal (500)."""
    if not isinstance(exc, PublicError):
        return unexpected_problem(exc)
    error = exc.describe()
    return ProblemDetailsException(
        status_code=error.status,
        type_=f"urn:courier:problem:{error.slug}",
        title=error.title,
        detail=error.detail,
        headers=error.headers or None,
        extra=error.extra,
    )


# Python names of parameters that go by another name on the wire.
_PARAMETER_NAMES = {
    "state_filter": "state",
    "idempotency_key": "Idempotency-Key",
    "idempotency-key": "Idempotency-Key",
}


def validation_problem(
    exc: ValidationException, kinds: frozenset[str] = frozenset()
) -> ProblemDetailsException:
    # A well-formed body with invalid content is unprocessable (422); a bad query,
    # header or path parameter is a bad request (400).
    details = [
        item
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    errors = [_explain_field(item, kinds) for item in details or [{"message": exc.detail}]]
    if any(e["field"] == "kind" for e in errors):
        # With an unknown kind, complaints about its input would only mislead.
        errors = [e for e in errors if not e["field"].startswith("input")]
    # Litestar marks query, path, header and cookie errors with their source; what
    # is left came from the body.
    from_parameters = any(item.get("source") not in (None, "body") for item in details)
    status = 400 if from_parameters or not details else 422
    return ProblemDetailsException(
        status_code=status,
        type_="urn:courier:problem:invalid-request",
        title="The request is invalid.",
        detail="; ".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
        ),
        extra={"errors": errors},
    )


def _explain_field(item: dict[str, Any], kinds: frozenset[str]) -> dict[str, str]:
    """A Litestar/pydantic error as {field, message} in the words of the API."""
    field, message = str(item.get("key") or ""), str(item.get("message"))
    head, _, rest = field.partition(".")
    if head in kinds:  # the tag of the per-kind body variant, not a field
        field = rest
    field = _PARAMETER_NAMES.get(field.lower(), field)
    if "idempotency-key" in f"{field} {message}".lower():
        return {
            "field": "Idempotency-Key",
            "message": " ".join((MissingIdempotencyKey.__doc__ or "").split()),
        }
    if field == "data":
        return {"field": "", "message": "the request body must be a JSON object"}
    if message.startswith(("Input tag", "Unable to extract tag")) or (field == "kind" and kinds):
        return {"field": "kind", "message": f"must be one of: {', '.join(sorted(kinds))}"}
    # msgspec names the rejected value ("Invalid enum value 'x'"): a query value may be
    # anything a caller typed, an address too, and a problem never echoes a value.
    message = _ENUM_VALUE.sub("not one of the allowed values", message)
    return {"field": field, "message": message}


_ENUM_VALUE = re.compile(r"Invalid enum value\b.*", re.DOTALL)


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


def problem_details_plugin(kinds: frozenset[str] = frozenset()) -> ProblemDetailsPlugin:
    """The plugin mapping every error to problem+json; ``kinds`` are the job kinds
    the intake body knows (to name the ``kind`` field in validation errors)."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                CourierError: courier_problem,
                ValidationException: functools.partial(validation_problem, kinds=kinds),
                HTTPException: http_problem,
                Exception: unexpected_problem,
            }
        )
    )
