"""Hostile requests derived from the API's own OpenAPI document: every query and header
parameter and every member of every request body (those of a valid body and those its
schema declares), each given values a hostile client would send.

Used by tests/acceptance/test_openapi_fuzz.py; a request is described, not sent, so the
test decides what each answer must be.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.client_input import MAX_JSON_DEPTH

HUGE_NUMBERS: tuple[Any, ...] = (2**63, -(2**63) - 1, 1e23)
"""Integers past a bigint, and a float a lax validator would turn into one."""

NUL_TEXT = "a\x00b"
LONE_SURROGATE = "a\ud800b"  # json.dumps writes it as \ud800: malformed JSON


def nested(depth: int) -> Any:
    """Arrays nested ``depth`` deep, as a Python value (json.dumps handles a few hundred)."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


DEEP = nested(4 * MAX_JSON_DEPTH)
WHOLE_BODIES = (
    ("[" * 100_000 + "]" * 100_000).encode(),  # past the decoder's own recursion limit
    json.dumps(nested(MAX_JSON_DEPTH + 1)).encode(),
)


@dataclass(frozen=True)
class HostileRequest:
    """One request with one hostile part; ``what`` says which, for failure messages."""

    operation_id: str
    method: str
    path: str
    what: str
    query: str = ""
    headers: dict[str, bytes] = field(default_factory=dict)
    body: bytes | None = None

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path_template: str
    parameters: list[dict[str, Any]]
    body_schema: dict[str, Any] | None

    def path(self, path_values: dict[str, str]) -> str:
        path = self.path_template
        for parameter in self.parameters:
            if parameter["in"] == "path":
                name = parameter["name"]
                path = path.replace(f"{{{name}}}", path_values[name])
        return path


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                Operation(
                    operation_id=operation["operationId"],
                    method=method.upper(),
                    path_template=path,
                    parameters=operation.get("parameters", []),
                    body_schema=body["schema"] if body else None,
                )
            )
    return found


def _is_integer(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(document, schema)
    variants = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
    return any(_resolve(document, variant).get("type") == "integer" for variant in variants)


def hostile_query_values(document: dict[str, Any], parameter: dict[str, Any]) -> list[str]:
    """Percent-encoded values that must be refused (400) whatever the parameter's type."""
    values = ["%00", "a%00b", "%FF", "caf%E9"]
    if _is_integer(document, parameter.get("schema", {})):
        values += ["9223372036854775808", "-9223372036854775809", "1e23"]
    return values


HOSTILE_HEADER_VALUES = (b"\xff\xfe", b"caf\xe9")
"""What HTTP/1.1 carries in a header (a NUL it does not: uvicorn refuses the request
itself, and the app checks again, tests/integration/test_intake.py)."""


def hostile_requests(
    document: dict[str, Any],
    operation: Operation,
    *,
    path_values: dict[str, str],
    valid_body: Any,
    required_headers: dict[str, bytes],
) -> Iterator[HostileRequest]:
    """Every hostile variant of one operation: one part hostile, the rest valid."""
    path = operation.path(path_values)

    def request(what: str, **parts: Any) -> HostileRequest:
        return HostileRequest(
            operation.operation_id,
            operation.method,
            path,
            what,
            headers=dict(parts.pop("headers", required_headers)),
            body=parts.pop("body", json.dumps(valid_body).encode() if valid_body else None),
            **parts,
        )

    for parameter in operation.parameters:
        name = parameter["name"]
        if parameter["in"] == "query":
            for value in hostile_query_values(document, parameter):
                yield request(f"query {name}={value}", query=f"{name}={value}")
        elif parameter["in"] == "header" and name.lower() != "authorization":
            for raw in HOSTILE_HEADER_VALUES:
                yield request(f"header {name}: {raw!r}", headers=required_headers | {name: raw})
    if operation.body_schema is None:
        return
    for raw_body in WHOLE_BODIES:
        yield request(f"whole body nested {len(raw_body)} bytes", body=raw_body)
    for member, _ in members(document, valid_body, [operation.body_schema]):
        for value in (DEEP, *HUGE_NUMBERS, NUL_TEXT, LONE_SURROGATE):
            body = _with(valid_body, member, value)
            shown = "deep" if value is DEEP else repr(value)
            yield request(
                f"body {'.'.join(map(str, member))} = {shown}", body=json.dumps(body).encode()
            )


MISSING = object()


def members(
    document: dict[str, Any], value: Any, schemas: list[dict[str, Any]], path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every member of ``value`` and every member its schemas declare that it lacks
    (as :data:`MISSING`), depth first, with its path."""
    if isinstance(value, dict):
        declared: dict[str, list[dict[str, Any]]] = {}
        for schema in schemas:
            for name, subs in _properties(document, schema).items():
                declared.setdefault(name, []).extend(subs)
        for name in [*value, *(name for name in declared if name not in value)]:
            yield (*path, name), value.get(name, MISSING)
            if name in value:
                yield from members(document, value[name], declared.get(name, []), (*path, name))
    elif isinstance(value, list):
        items = [
            resolved["items"]
            for schema in schemas
            if "items" in (resolved := _resolve(document, schema))
        ]
        for index, item in enumerate(value):
            yield (*path, index), item
            yield from members(document, item, items, (*path, index))


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _properties(
    document: dict[str, Any], schema: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The properties of an object schema and of all its variants (oneOf, anyOf, allOf):
    a property's schemas in every variant that declares it."""
    schema = _resolve(document, schema)
    found = {name: [sub] for name, sub in schema.get("properties", {}).items()}
    for variant in [*schema.get("oneOf", []), *schema.get("anyOf", []), *schema.get("allOf", [])]:
        for name, subs in _properties(document, variant).items():
            found.setdefault(name, []).extend(subs)
    return found


def _with(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(body)
    holder = changed
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return changed
