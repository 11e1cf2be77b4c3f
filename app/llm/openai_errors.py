"""The ``openai`` SDK's errors as Courier's provider errors (``app/llm/errors.py``).

Transient: 408, 409, 429, 5xx, timeouts, lost connections and answers that are
not the JSON they claim to be; the executor retries them with backoff, no sooner
than the provider's ``Retry-After``. Permanent: any other 4xx, with a code naming
what was refused. The provider's message is dropped: it may quote the prompt.

A provider wraps each SDK call in :func:`calling_provider`::

    with calling_provider():
        completion = await client.chat.completions.create(...)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import openai

from app.llm.errors import PermanentProviderError, ProviderError, TransientProviderError
from app.retry_after import MAX_SECONDS, parse_retry_after

MAX_RETRY_AFTER_SECONDS = MAX_SECONDS
"""A longer ``Retry-After`` counts as this: a job is not parked for a day on one
header, and its retry budget and deadline still bound the whole."""

_BY_STATUS: Mapping[int, tuple[type[ProviderError], str]] = {
    400: (PermanentProviderError, "invalid_request"),
    401: (PermanentProviderError, "provider_auth_failed"),
    403: (PermanentProviderError, "provider_forbidden"),
    404: (PermanentProviderError, "model_not_found"),
    408: (TransientProviderError, "provider_timeout"),
    409: (TransientProviderError, "provider_conflict"),
    422: (PermanentProviderError, "invalid_request"),
    429: (TransientProviderError, "rate_limited"),
}
"""Statuses with their own code; other 5xx are ``provider_unavailable`` (transient),
other 4xx ``provider_rejected`` (permanent)."""

_BY_TYPE: tuple[tuple[type[openai.APIError], str], ...] = (
    (openai.APITimeoutError, "provider_timeout"),  # before its base class
    (openai.APIConnectionError, "provider_unreachable"),
    (openai.APIResponseValidationError, "provider_bad_response"),
)
"""Failures that are not an error status, all transient; an unknown one is
``provider_unavailable``."""


def provider_error(exc: openai.APIError) -> ProviderError:
    """The Courier error for an SDK error: its kind, code, status and ``Retry-After``."""
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        error_type, code = _BY_STATUS.get(status) or (
            (TransientProviderError, "provider_unavailable")
            if status >= 500
            else (PermanentProviderError, "provider_rejected")
        )
        if error_type is TransientProviderError:
            return TransientProviderError(
                code, status=status, retry_after=retry_after(exc.response.headers)
            )
        return PermanentProviderError(code, status=status)
    code = next(
        (code for error_type, code in _BY_TYPE if isinstance(exc, error_type)),
        "provider_unavailable",
    )
    return TransientProviderError(code, status=getattr(exc, "status_code", None))


@contextmanager
def calling_provider() -> Iterator[None]:
    """Raise the SDK's errors as :class:`~app.llm.errors.ProviderError`, chained.

    Also catches ``json.JSONDecodeError``: the SDK lets a body that claims to be
    JSON but is not escape as that rather than as an ``APIError``. Keep only the
    SDK call inside, so a decoding error of our own is not taken for the provider's.
    A plain (not async) context manager: it awaits nothing, and works around ``await``.
    """
    try:
        yield
    except openai.APIError as exc:
        raise provider_error(exc) from exc
    except json.JSONDecodeError as exc:
        raise TransientProviderError("provider_bad_response") from exc


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a response asks us to wait: ``retry-after-ms`` (OpenAI's own), else
    ``Retry-After`` as seconds or an HTTP-date; ``None`` when absent or unreadable."""
    milliseconds = parse_retry_after(
        headers.get("retry-after-ms"), maximum=MAX_RETRY_AFTER_SECONDS * 1000
    )
    if milliseconds is not None:
        return milliseconds / 1000
    return parse_retry_after(headers.get("retry-after"))
