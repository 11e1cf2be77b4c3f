"""What every HTTP request must be before a handler sees it, on every route.

A hostile client controls every byte of a request, and some bytes fail far from
where they entered: JSON nested thousands of levels deep exhausts the recursion
of whatever walks it next (decoder, validator, serialiser), a NUL character
cannot be stored in a PostgreSQL ``text`` or ``jsonb`` value, and an integer
past what its column holds overflows in Python or in SQL. Each of these is
refused here, where the input is decoded, with a 4xx that says what was wrong (and
names the field where there is one), so no handler, service or query needs to know:

* :class:`CourierRequest` decodes JSON bodies: nested at most
  :data:`MAX_JSON_DEPTH` arrays and objects deep (:class:`JsonTooDeep`, 400),
  no NUL in any string or member name (:class:`TextHoldsNul`, 422).
* :func:`refuse_unstorable_parameters` (the app's ``before_request`` hook, run
  after the guards) checks query parameters (no NUL, percent-encoded UTF-8) and
  header values (no NUL) (:class:`InvalidParameterText`, 400).
* Every integer of a request schema or parameter has both bounds, within what a
  ``bigint`` holds (``tests/unit/test_client_input.py`` reads every body model and
  parameter to check); :data:`Int32` bounds a field that has none of its own.

The database seam maps what still slips through (``app/db.py``,
``UnstorableText``) to a 400 as a safety net.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from pydantic import Field

from app.errors import BadRequestError, InvalidRequestError

MAX_JSON_DEPTH = 64
"""Arrays and objects a JSON body may nest (the body itself is level 1). No request
of Courier's needs more than a handful; the decoder's own limit is near 1000."""

Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
"""An integer a PostgreSQL ``integer`` (and a Python ``timedelta`` in seconds) holds: the
type of a request field that has no natural bound on a side. Narrow the other side as
``Annotated[Int32, Field(ge=1)]`` or, when optional, ``Int32 | None = Field(ge=1)``:
beside a required ``Int32``, pydantic drops the bounds of a ``= Field(ge=...)``."""


class JsonTooDeep(BadRequestError):
    """The JSON body nests arrays and objects too deeply."""

    def __init__(self) -> None:
        super().__init__(
            f"the JSON body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep; "
            f"at most {MAX_JSON_DEPTH} are accepted"
        )

    def extra(self) -> dict[str, Any]:
        return {"max_depth": MAX_JSON_DEPTH}


class TextHoldsNul(InvalidRequestError):
    """Text must not contain NUL (\\u0000): PostgreSQL cannot store it."""

    def __init__(self, field: str, reason: str = "must not contain NUL (\\u0000)") -> None:
        super().__init__(f"{field or 'the body'}: {reason}")
        self.field, self.reason = field, reason

    def extra(self) -> dict[str, Any]:
        return {"errors": [{"field": self.field, "message": self.reason}]}


class InvalidParameterText(BadRequestError):
    """A query parameter or header holds text Courier cannot accept."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason

    def extra(self) -> dict[str, Any]:
        return {"errors": [{"field": self.field, "message": self.reason}]}


class CourierRequest(Request[Any, Any, Any]):
    """Litestar's request, whose JSON body is refused when it nests too deeply or
    holds a NUL (the ``request_class`` of the app, so every route decodes this way)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError as exc:  # the decoder's own limit, far above ours
            raise JsonTooDeep() from exc
        refuse_unstorable_json(value)
        return value


def refuse_unstorable_json(value: Any) -> None:
    """Raise :class:`JsonTooDeep` or :class:`TextHoldsNul` (naming the field, e.g.
    ``input.thread.0.body``) unless ``value``, a decoded JSON document, may be
    validated and stored. Iterative, so its own depth is no concern; scalars and empty
    containers take no step of their own (a body of the largest size the API accepts
    holds a few hundred thousand values: tens of milliseconds at worst)."""
    if isinstance(value, str) and "\x00" in value:
        raise TextHoldsNul("")
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while pending:
        node, path = pending.pop()  # a container, len(path) + 1 levels deep
        if isinstance(node, dict):
            members: Iterable[tuple[str | int, Any]] = node.items()
            if any("\x00" in name for name in node):
                raise TextHoldsNul(_dotted(path), "member names must not contain NUL (\\u0000)")
        elif isinstance(node, list):
            members = enumerate(node)
        else:
            continue
        for name, item in members:
            if isinstance(item, str):
                if "\x00" in item:
                    raise TextHoldsNul(_dotted((*path, name)))
            elif isinstance(item, dict | list):
                if len(path) + 2 > MAX_JSON_DEPTH:
                    raise JsonTooDeep()
                if item:
                    pending.append((item, (*path, name)))


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(map(str, path))


async def refuse_unstorable_parameters(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: raise :class:`InvalidParameterText` for a query
    parameter holding NUL or bytes that are not UTF-8 (Litestar would replace them
    silently), or a header value holding NUL (HTTP forbids it; a server may pass it on)."""
    query = request.scope.get("query_string", b"")
    for part in query.split(b"&") if query else ():
        raw_name, _, raw_value = part.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value = unquote_to_bytes(raw_value.replace(b"+", b" "))
        field = name.replace(b"\x00", b"%00").decode("utf-8", "replace")
        if b"\x00" in name or b"\x00" in value:
            raise InvalidParameterText(field, "must not contain NUL (%00)")
        try:
            name.decode("utf-8")
            value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidParameterText(field, "must be UTF-8, percent-encoded") from exc
    for raw_name, raw_value in request.scope.get("headers", ()):
        if b"\x00" in raw_value:
            header = "-".join(part.capitalize() for part in raw_name.decode("latin-1").split("-"))
            raise InvalidParameterText(header, "must not contain NUL")
