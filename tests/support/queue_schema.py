"""procrastinate's schema in tests: an older one, built from the migration files a
past procrastinate shipped (:func:`install_older_queue_schema`), and what a schema
is made of, to compare two (:func:`queue_catalog`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import psycopg

from app.migrate import QUEUE_MIGRATIONS_DIR


def install_older_queue_schema(url: str, version: str, directory: Path) -> Path:
    """Build procrastinate's schema as of ``version`` (e.g. ``"03.02.00"``) in the
    database at ``url`` from its migration files, as that release's users did; returns
    ``directory`` holding just those files, as that release shipped them."""
    directory.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url, autocommit=True) as conn:
        for path in sorted(QUEUE_MIGRATIONS_DIR.glob("*.sql")):
            if path.name[:8] > version:
                continue
            with conn.transaction():
                conn.execute(path.read_text())  # type: ignore[arg-type]  # a trusted file
            shutil.copy(path, directory / path.name)
    return directory


def queue_catalog(url: str) -> dict[str, Any]:
    """procrastinate's tables, columns, types, functions, indexes, triggers and
    constraints in the database at ``url`` (column order aside: a column added by a
    migration comes last, one in schema.sql may not)."""
    queries = {
        "columns": """
            SELECT table_name, column_name, data_type, column_default, is_nullable
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name LIKE 'procrastinate%'""",
        "enums": """
            SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
            WHERE t.typname LIKE 'procrastinate%' GROUP BY t.typname""",
        "functions": """
            SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
            FROM pg_proc p
            WHERE p.pronamespace = current_schema()::regnamespace
              AND p.proname LIKE 'procrastinate%'""",
        "indexes": """
            SELECT indexdef FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%'""",
        "triggers": """
            SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND c.relname LIKE 'procrastinate%'""",
        "constraints": """
            SELECT c.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            WHERE c.relname LIKE 'procrastinate%'""",
    }
    with psycopg.connect(url) as conn:
        return {
            name: sorted(map(tuple, conn.execute(query).fetchall()))  # type: ignore[arg-type]
            for name, query in queries.items()
        }
