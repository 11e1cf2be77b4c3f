"""The real database seam, counting the queries it runs by name (to check that work is
shared, e.g. one read per notification for every stream of a job), and able to fail the
next read (``fail_next``) as a lost connection would."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.db import Database


class CountingDatabase(Database):
    """The real database seam, counting the ``fetch_all`` and ``fetch_optional`` queries it
    runs by name (``runs``) and keeping the parameters of every ``fetch_all`` (``calls``,
    oldest first)."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.pool, db.queries)
        self.runs: Counter[str] = Counter()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_next: Exception | None = None

    async def fetch_all(
        self, name: str, /, conn: Any = None, **params: Any
    ) -> list[dict[str, Any]]:
        self.runs[name] += 1
        self.calls.append((name, params))
        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            raise failure
        return await super().fetch_all(name, conn, **params)

    async def fetch_optional(
        self, name: str, /, conn: Any = None, **params: Any
    ) -> dict[str, Any] | None:
        self.runs[name] += 1
        return await super().fetch_optional(name, conn, **params)

    def params_of(self, name: str) -> list[dict[str, Any]]:
        """The parameters of every ``fetch_all`` of query ``name``, oldest first."""
        return [params for called, params in self.calls if called == name]
