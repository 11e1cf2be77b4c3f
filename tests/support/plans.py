"""What a query costs, from its plan: the rows PostgreSQL actually read to answer it."""

from __future__ import annotations

from typing import Any

import psycopg

from app.queries import load_queries

_SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan")


def rows_read(conn: psycopg.Connection, query: str, params: dict[str, Any]) -> dict[str, int]:
    """Run the named query under ``EXPLAIN (ANALYZE)`` and return, per table, the rows its
    scans read (returned or filtered out, over every loop)."""
    sql = load_queries()[query].sql
    plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()[0]
    read: dict[str, int] = {}
    _walk(plan[0]["Plan"], read)
    return read


def _walk(node: dict[str, Any], read: dict[str, int]) -> None:
    if node["Node Type"] in _SCANS:
        rows = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        table = node["Relation Name"]
        read[table] = read.get(table, 0) + round(rows * node["Actual Loops"])
    for child in node.get("Plans", ()):
        _walk(child, read)
