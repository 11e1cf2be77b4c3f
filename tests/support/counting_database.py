"""The real database seam, counting the queries it runs by name (to check that work is
shared, e.g. one read per notification for every stream of a job)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.db import Database


class CountingDatabase(Database):
    """The real database seam, counting the queries it runs by name."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.pool, db.queries)
        self.runs: Counter[str] = Counter()

    async def fetch_all(
        self, name: str, /, conn: Any = None, **params: Any
    ) -> list[dict[str, Any]]:
        self.runs[name] += 1
        return await super().fetch_all(name, conn, **params)
