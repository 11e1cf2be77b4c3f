"""An ``openai.AsyncOpenAI`` client set up for jobs: a timeout, no retries of its
own, and answers checked against the SDK's models."""

from __future__ import annotations

import openai


def openai_client(*, base_url: str | None, api_key: str, timeout: float) -> openai.AsyncOpenAI:
    """A client for ``base_url`` (``None``: OpenAI's own); ``timeout`` in seconds per request.

    ``max_retries=0``: the executor retries instead (backoff with jitter, the
    kind's retry budget, a ``queued`` event per retry), so the SDK's own hidden
    retries would only multiply the attempts. Strict validation turns an answer
    that is not a completion (an HTML error page with status 200, a body of the
    wrong shape) into ``APIResponseValidationError`` instead of a bare string or
    an object of ``None`` fields.
    """
    return openai.AsyncOpenAI(
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        max_retries=0,
        _strict_response_validation=True,
    )
