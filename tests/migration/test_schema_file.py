"""sql/schema.sql is what the migrations build: a reader sees the current tables,
triggers, policies and grants in one place, and it cannot drift."""

from __future__ import annotations

import difflib
import subprocess

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from app.schema_file import SCHEMA_FILE, dump, pg_dump_path


def _major(version: str) -> int:
    return int(version.split()[-1].split(".")[0])


def test_schema_file__matches_a_database_built_from_the_migrations(
    postgres_admin_url: str, template_database: str
) -> None:
    with psycopg.connect(postgres_admin_url) as conn:
        server = conn.info.server_version // 10000
    tool = subprocess.run([pg_dump_path(), "--version"], capture_output=True, text=True).stdout
    if server != _major(tool):
        pytest.skip(f"pg_dump {_major(tool)} dumps a PostgreSQL {server} server differently")
    fresh = dump(make_conninfo(postgres_admin_url, dbname=template_database))
    committed = SCHEMA_FILE.read_text()
    if fresh != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "sql/schema.sql",
                    "migrated",
                )
            )[:60]
        )
        pytest.fail(
            "sql/schema.sql differs from the migrations; regenerate it with "
            f"`.venv/bin/python -m app.schema_file`:\n{diff}"
        )
