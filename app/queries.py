"""Loads the named SQL queries kept in ``sql/*.sql``.

Each query is headed by ``-- name: <name> :one|:optional|:many|:exec`` and a description
line; the SQL runs until the next header. Queries are typed ``LiteralString`` so
a type checker rejects SQL built from f-strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, LiteralString, cast

from app.errors import CourierError

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_HEADER = re.compile(r"^--\s*name:\s*(?P<name>\w+)\s+:(?P<shape>one|optional|many|exec)\s*$")
# Replayed whole by `courier migrate` (views, grants) or generated (the schema).
NOT_QUERIES = frozenset({"views.sql", "grants.sql", "schema.sql"})
_LOOSE_HEADER = re.compile(r"^--\s*name:")

Shape = Literal["one", "optional", "many", "exec"]
"""``one``: exactly one row (none is ``NotFound``); ``optional``: one row or none (a
guarded update that found its guard false, say); ``many``: any number of rows;
``exec``: run for its effect."""


class QueryFileError(CourierError):
    """A SQL file is malformed."""


@dataclass(frozen=True)
class Query:
    name: str
    shape: Shape
    sql: LiteralString
    origin: str


def load_queries(sql_dir: Path = SQL_DIR) -> dict[str, Query]:
    """Parse every ``*.sql`` file of ``sql_dir`` except DBA view definitions."""
    queries: dict[str, Query] = {}
    for path in sorted(sql_dir.glob("*.sql")):
        if path.name in NOT_QUERIES:
            continue
        for query in _parse_file(path):
            if query.name in queries:
                raise QueryFileError(
                    f"{query.origin}: query {query.name!r} already defined at "
                    f"{queries[query.name].origin}"
                )
            queries[query.name] = query
    return queries


def _parse_file(path: Path) -> list[Query]:
    found: list[Query] = []
    current: tuple[str, Shape, str] | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        name, shape, origin = current
        sql = "\n".join(line for line in body if not line.lstrip().startswith("--")).strip()
        if not sql:
            raise QueryFileError(f"{origin}: query {name!r} has no SQL")
        found.append(Query(name, shape, cast(LiteralString, sql.rstrip(";")), origin))

    for number, line in enumerate(path.read_text().splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            close()
            current = (header["name"], cast(Shape, header["shape"]), f"{path.name}:{number}")
            body = []
        elif _LOOSE_HEADER.match(line):
            raise QueryFileError(
                f"{path.name}:{number}: malformed header, "
                "expected '-- name: <name> :one|:optional|:many|:exec'"
            )
        elif current is not None:
            body.append(line)
    close()
    return found
