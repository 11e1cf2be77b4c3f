"""The console's query parameters, parsed by hand: filter forms send ``state=`` for
"any", which the API's typed parameters would refuse, and a bad value must be a 400,
never a 500."""

from __future__ import annotations

import re
from uuid import UUID

from app.errors import BadRequestError
from app.jobs.schemas import JobState

_STREAM_CURSOR = re.compile(r"[0-9]{1,20}\.[0-9]{1,19}")


class InvalidConsoleParameter(BadRequestError):
    """A console query parameter is invalid."""


def job_state(value: str | None) -> JobState | None:
    if not value:
        return None
    try:
        return JobState(value)
    except ValueError as exc:
        raise InvalidConsoleParameter(
            f"state must be one of: {', '.join(s.value for s in JobState)}"
        ) from exc


def kind(value: str | None, known: set[str]) -> str | None:
    if not value:
        return None
    if value not in known:
        raise InvalidConsoleParameter(f"kind must be one of: {', '.join(sorted(known))}")
    return value


def cursor(value: str | None) -> UUID | None:
    return uuid_field("cursor", value)


def uuid_field(name: str, value: str | None) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError as exc:
        raise InvalidConsoleParameter(f"{name} must be a UUID") from exc


def path_id(value: str) -> UUID:
    """A job id in a console path: a path that holds no UUID gets the console's error
    page (a ``{job_id:uuid}`` route would answer the API's 404 problem+json)."""
    try:
        return UUID(value)
    except ValueError as exc:
        raise InvalidConsoleParameter(f"{value[:60]!r} is not a job id (a UUID)") from exc


def stream_cursor(value: str | None) -> str | None:
    """A tenant-stream cursor (``<xid>.<position>``); the stream itself checks its range."""
    if not value:
        return None
    if not _STREAM_CURSOR.fullmatch(value):
        raise InvalidConsoleParameter("after must be a stream cursor")
    return value
