"""Response ids as OpenAI spells them: ``resp_`` and the job's id in hex, so a
response id is its job's id and nothing has to map one onto the other."""

from __future__ import annotations

import re
from uuid import UUID

_RESPONSE_ID = re.compile(r"resp_(?P<hex>[0-9a-f]{32})")


def response_id(job_id: UUID) -> str:
    return f"resp_{job_id.hex}"


def message_id(job_id: UUID) -> str:
    """The id of the response's one output message."""
    return f"msg_{job_id.hex}"


def job_id_of(response_id: str) -> UUID | None:
    """The job of a response id; None for a string that is not one."""
    match = _RESPONSE_ID.fullmatch(response_id)
    return UUID(hex=match["hex"]) if match else None
