"""Errors on ``/v1/responses`` in OpenAI's envelope:
``{"error": {"message", "type", "param", "code"}}``.

The routes raise Courier's errors like every other route; this renderer, registered
on the responses controller alone (the rest of the API answers RFC 9457
problem+json, app/problems.py), reads what every public error says of itself
(:meth:`app.errors.PublicError.describe`) and knows no leaf. OpenAI answers an
invalid request with 400, so Courier's 422 (well-formed, invalid content) becomes
400 here, and the SDK raises ``BadRequestError`` for both.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from pydantic import BaseModel

from app.errors import BadRequestError, CourierError, NotFoundError, PublicError

RESPONSES_PATH = "/v1/responses"

log = logging.getLogger("courier.responses")

_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    429: "rate_limit_error",
    500: "server_error",
    503: "server_error",
}
_CODES = {401: "invalid_api_key", 429: "rate_limit_exceeded", 503: "service_unavailable"}


class OpenAIError(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorBody(BaseModel):
    """An error in OpenAI's envelope."""

    error: OpenAIError


class UnsupportedParameter(BadRequestError):
    """Courier does not support this parameter of the Responses API."""

    code = "unsupported_parameter"

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


class ResponseNotFound(NotFoundError):
    """No such response."""

    def __init__(self, response_id: str) -> None:
        super().__init__(f"No response found with id '{response_id[:100]}'.")


def openai_error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the errors an operation can answer."""
    return {
        status: ResponseSpec(
            data_container=OpenAIErrorBody,
            description="An error, in OpenAI's envelope.",
            generate_examples=False,
        )
        for status in statuses
    }


def openai_error(request: Request[Any, Any, Any], exc: Exception) -> Response[OpenAIErrorBody]:
    """Litestar exception handler: any exception as OpenAI's error envelope."""
    status, error, headers = _describe(exc)
    return Response(OpenAIErrorBody(error=error), status_code=status, headers=headers)


def _describe(exc: Exception) -> tuple[int, OpenAIError, dict[str, str]]:
    if isinstance(exc, PublicError):
        described = exc.describe()
        status = 400 if described.status == 422 else described.status
        fields = (described.extra or {}).get("errors") or [{}]
        param = getattr(exc, "param", None) or fields[0].get("field") or None
        code = getattr(exc, "code", None) or _CODES.get(status) or described.slug.replace("-", "_")
        return status, _error(status, described.detail, param, code), described.headers
    if isinstance(exc, ValidationException):
        items = [
            i for i in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(i, dict)
        ]
        first = items[0] if items else {}
        param = _param(str(first.get("key") or ""))
        message = str(first.get("message") or exc.detail)
        if "extra inputs are not permitted" in message.lower():
            return (
                400,
                _error(
                    400,
                    f"Courier does not support the parameter '{param}' of the Responses API "
                    "(docs/openai-background.md lists what it supports).",
                    param,
                    "unsupported_parameter",
                ),
                {},
            )
        code = (
            "missing_required_parameter"
            if message.lower() == "field required"
            # A field Courier accepts only empty (tools, include) says so in these words.
            else "unsupported_parameter"
            if "Courier does not" in message or "Courier has no" in message
            else "invalid_value"
        )
        where = f"{param}: " if param else ""
        return 400, _error(400, f"Invalid request: {where}{message}", param, code), {}
    if isinstance(exc, HTTPException):
        return exc.status_code, _error(exc.status_code, exc.detail, None, None), exc.headers or {}
    # Any other exception, and a CourierError of no category, is internal.
    log.error("unexpected error", exc_info=exc, extra={"event": "http_unexpected_error"})
    return (
        500,
        _error(
            500,
            "Courier failed to handle the request; it was logged. Nothing partial was written.",
            None,
            "server_error",
        ),
        {},
    )


_UNION_BRANCH = re.compile(r"(constrained|function|json-or-python|lax-or-strict)-.*|.*\[.*\]")


def _param(key: str) -> str | None:
    """The request parameter a validation error names, as the SDK's user wrote it:
    pydantic's union branches (``input.constrained-str``, ``input.list[InputMessage]``)
    are its own words, not parameters, so they are left out."""
    parts = [part for part in key.split(".") if not _UNION_BRANCH.fullmatch(part)]
    return ".".join(parts) or None


def _error(status: int, message: str, param: str | None, code: str | None) -> OpenAIError:
    return OpenAIError(
        message=message, type=_TYPES.get(status, "invalid_request_error"), param=param, code=code
    )


EXCEPTION_HANDLERS = {
    # Every key the app's problem+json plugin maps, so none of them is nearer than this.
    CourierError: openai_error,
    ValidationException: openai_error,
    HTTPException: openai_error,
    Exception: openai_error,
}
"""The exception handlers of the responses controller."""
