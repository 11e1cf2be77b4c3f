"""What a provider raises when a model call fails.

Providers map their SDK's errors onto these two (the OpenAI provider: 429, 5xx,
timeouts and lost connections are transient; other 4xx are permanent), so the
executor decides between retrying and failing without knowing any SDK. Messages
are Courier's own: never the provider's text, which may quote the prompt.
"""

from __future__ import annotations

from app.errors import CourierError


class ProviderError(CourierError):
    """The model provider failed."""

    def __init__(self, code: str, *, status: int | None = None) -> None:
        detail = f" (HTTP {status})" if status is not None else ""
        super().__init__(
            f"{(type(self).__doc__ or '').strip().splitlines()[0].rstrip('.')}: {code}{detail}"
        )
        self.code = code
        self.status = status


class TransientProviderError(ProviderError):
    """The model provider failed in a way that may pass (rate limit, 5xx, timeout, lost connection)."""  # noqa: E501 (its first line is the error message)

    def __init__(
        self,
        code: str = "provider_unavailable",
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, status=status)
        self.retry_after = retry_after
        """Seconds the provider asked us to wait (its ``Retry-After``), if it said."""


class PermanentProviderError(ProviderError):
    """The model provider refused the request; sending it again will not help."""

    def __init__(self, code: str = "provider_rejected", *, status: int | None = None) -> None:
        super().__init__(code, status=status)


class ProviderPaused(TransientProviderError):
    """The model provider is paused after a rate limit for longer than a job waits in its worker."""  # noqa: E501 (its first line is the error message)

    def __init__(self, retry_after: float) -> None:
        super().__init__("rate_limited", status=429, retry_after=retry_after)


class InvalidModelOutput(CourierError):
    """The model's answer did not match the output schema, also after a repair attempt."""

    code = "invalid_model_output"
