"""The root of Courier's exceptions, and the categories a caller is answered in.

Every domain error derives from :class:`CourierError`; its docstring is its
default message. An error a caller should hear about also derives from exactly
one category below — :class:`NotFoundError`, :class:`ConflictError`,
:class:`BadRequestError`, :class:`InvalidRequestError`,
:class:`UnauthenticatedError`, :class:`ForbiddenError`,
:class:`RateLimitedError`, :class:`UnavailableError` — which carries its HTTP
status. A leaf adds what only it knows: a ``Retry-After``, an authentication
challenge, extra members such as the fields at fault. Areas declare their errors
in their own modules; a renderer (problem+json in ``app/problems.py``, later
OpenAI's envelope for ``/v1/responses``) reads :meth:`PublicError.describe` and
knows no leaf, so a new error needs no edit there and a second envelope no
second table.

A CourierError of no category (a database-seam error that a service translates,
a malformed SQL file, a failed migration) is internal: its message is for logs,
and an HTTP caller who meets one gets a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar


class CourierError(Exception):
    """Courier failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class ErrorDescription:
    """A public error as any envelope needs it, in no envelope's shape."""

    status: int
    """The HTTP status of the error's category."""
    category: str
    """The category's stable name: ``not-found``, ``conflict``, ``bad-request``,
    ``invalid-request``, ``unauthenticated``, ``forbidden``, ``rate-limited`` or
    ``unavailable``."""
    slug: str
    """The error's stable name, the kebab-case of its class name (``job-not-found``);
    problem+json makes it the ``type`` ``urn:courier:problem:<slug>``."""
    title: str
    """What kind of failure it is: the first line of the class docstring."""
    detail: str
    """What went wrong this time: the exception's message."""
    headers: dict[str, str] = field(default_factory=dict)
    """HTTP response headers the answer carries (``Retry-After``, ``WWW-Authenticate``)."""
    extra: dict[str, Any] | None = None
    """Members beyond the usual ones, e.g. ``errors`` naming each field at fault."""


class PublicError(CourierError):
    """A failure the caller is told about, in its own words (the message is shown).

    Derive from exactly one category below, never from this class directly.
    """

    status: ClassVar[int]
    """The HTTP status every error of the category answers with."""
    retry_after: int | None = None
    """Seconds after which the same request may succeed (sent as ``Retry-After``);
    None when retrying unchanged will not help."""

    @classmethod
    def category(cls) -> type[PublicError]:
        """The category this error belongs to (the nearest in its MRO)."""
        return next(c for c in cls.__mro__ if c in CATEGORIES)

    def headers(self) -> dict[str, str]:
        """HTTP response headers this answer carries."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}

    def extra(self) -> dict[str, Any] | None:
        """Members of the answer beyond status, type, title and detail, if any."""
        return None

    def describe(self) -> ErrorDescription:
        cls = type(self)
        doc = next(c.__doc__ for c in cls.__mro__ if c.__doc__)
        return ErrorDescription(
            status=self.status,
            category=_kebab(self.category().__name__.removesuffix("Error")),
            slug=_kebab(cls.__name__),
            title=doc.strip().splitlines()[0],
            detail=str(self),
            headers=self.headers(),
            extra=self.extra(),
        )


class NotFoundError(PublicError):
    """No such resource for this tenant."""

    status = 404


class ConflictError(PublicError):
    """The request conflicts with the resource's current state or a request in flight."""

    status = 409


class BadRequestError(PublicError):
    """The request is malformed: a bad header, query or path parameter."""

    status = 400


class InvalidRequestError(PublicError):
    """The request is well-formed but its content is invalid."""

    status = 422


class UnauthenticatedError(PublicError):
    """The credentials are missing, unknown, revoked or expired."""

    status = 401
    challenge: ClassVar[str | None] = None
    """The ``WWW-Authenticate`` challenge, for credentials the caller sends in the
    ``Authorization`` header; None for those sent elsewhere (a stream token)."""

    def headers(self) -> dict[str, str]:
        headers = super().headers()
        if self.challenge:
            headers["WWW-Authenticate"] = self.challenge
        return headers


class ForbiddenError(PublicError):
    """The caller is known but may not do this."""

    status = 403


class RateLimitedError(PublicError):
    """Too many requests; retry after the Retry-After seconds."""

    status = 429

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnavailableError(PublicError):
    """A service Courier needs is unavailable right now; retry after the Retry-After seconds."""

    status = 503


CATEGORIES: tuple[type[PublicError], ...] = (
    NotFoundError,
    ConflictError,
    BadRequestError,
    InvalidRequestError,
    UnauthenticatedError,
    ForbiddenError,
    RateLimitedError,
    UnavailableError,
)


# Idempotency-Key is a header of Courier's HTTP protocol rather than of one area:
# the jobs endpoints raise this error, and the validation mapper explains a missing
# or malformed header in its words, so it lives beside the categories.
class MissingIdempotencyKey(BadRequestError):
    """Send an 'Idempotency-Key' header: a unique string of 1-255 printable ASCII characters
    per logical request (for example a UUID), repeated unchanged when you retry."""


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
