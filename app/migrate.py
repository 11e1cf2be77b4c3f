"""Forward-only schema migrations.

``migrations/NNNN_snake_name.sql`` files are applied in order, each in its own
transaction, under a session advisory lock so concurrent starters wait for one
another; each is recorded with the SHA-256 of its text, and a database whose
applied file was edited afterwards is refused. procrastinate's own schema is
installed through procrastinate.

A small runner rather than yoyo-migrations: yoyo records a hash of the file
*name*, so it cannot detect an edited file, and it locks with a table rather
than an advisory lock.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import LiteralString, cast

import procrastinate
import psycopg

from app.db import Database, assume_role
from app.errors import CourierError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VIEWS_FILE = Path(__file__).resolve().parent.parent / "sql" / "views.sql"
GRANTS_FILE = Path(__file__).resolve().parent.parent / "sql" / "grants.sql"
FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")


class MigrationError(CourierError):
    """The database schema does not match the migration files."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, checked for a well-formed name and gapless numbering from 0001."""
    migrations = []
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql":
            continue
        match = FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_case.sql")
        migrations.append(Migration(int(match["version"]), path.name, path.read_text()))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(f"{migration.name}: expected migration number {expected:04d}")
    return migrations


def pending(applied: list[dict], migrations: list[Migration]) -> list[Migration]:
    """The migrations still to apply; refuses a database that disagrees with the files."""
    by_version = {m.version: m for m in migrations}
    for row in applied:
        migration = by_version.get(row["version"])
        if migration is None:
            raise MigrationError(
                f"the database has migration {row['name']}, which this Courier does not know: "
                "run a newer release"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"migrations/{migration.name} was edited after it was applied; "
                "migrations are forward-only: restore the file and add a new one"
            )
    done = {row["version"] for row in applied}
    return [m for m in migrations if m.version not in done]


async def migrate(
    url: str,
    directory: Path = MIGRATIONS_DIR,
    views: Path = VIEWS_FILE,
    grants: Path = GRANTS_FILE,
) -> list[str]:
    """Apply what is pending, then (re)create the DBA views and the runtime role's grants;
    returns the names of the files applied."""
    migrations = discover(directory)
    db = Database(pool=None)  # type: ignore[arg-type]  # used with explicit connections only
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await db.execute("courier_migration_lock", conn)
        try:
            await db.execute("courier_migration_ensure_table", conn)
            todo = pending(await db.fetch_all("courier_migration_list", conn), migrations)
            for migration in todo:
                async with conn.transaction():
                    await _apply(conn, migration)
                    await db.execute(
                        "courier_migration_insert",
                        conn,
                        version=migration.version,
                        name=migration.name,
                        checksum=migration.checksum,
                    )
            installed = (await db.fetch_one("courier_migration_procrastinate_installed", conn))[
                "installed"
            ]
            if not installed:
                await _install_procrastinate_schema(url)
            await _replay(conn, views)
            await _replay(conn, grants)
        finally:
            await db.execute("courier_migration_unlock", conn)
    return [m.name for m in todo] + ([] if installed else ["procrastinate schema"])


async def check(url: str, directory: Path = MIGRATIONS_DIR) -> None:
    """Refuse to run against a database that is not fully migrated with these files."""
    migrations = discover(directory)
    db = Database(pool=None)  # type: ignore[arg-type]
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        # As the processes will run: a user that may not act as the runtime role is told
        # so in one line, and the checks below read only what that role may read.
        await assume_role(conn)
        if not (await db.fetch_one("courier_migration_table_exists", conn))["exists"]:
            raise MigrationError("the database has no Courier schema: run `courier migrate` first")
        todo = pending(await db.fetch_all("courier_migration_list", conn), migrations)
        installed = (await db.fetch_one("courier_migration_procrastinate_installed", conn))[
            "installed"
        ]
    if todo or not installed:
        names = ", ".join(m.name for m in todo) or "procrastinate schema"
        raise MigrationError(
            f"the database is not migrated ({names} pending): run `courier migrate`"
        )


async def _apply(conn: psycopg.AsyncConnection, migration: Migration) -> None:
    try:
        await conn.execute(cast(LiteralString, migration.sql))
    except psycopg.Error as exc:
        # One line for the operator: which file, what PostgreSQL said and its hint
        # (e.g. the GRANT a DBA must run first); the transaction rolls back.
        diag = exc.diag
        hint = f" ({diag.message_hint})" if diag.message_hint else ""
        raise MigrationError(f"{migration.name}: {diag.message_primary or exc}{hint}") from exc


async def _replay(conn: psycopg.AsyncConnection, path: Path) -> None:
    # Views and grants hold no data, so they are not migrations: sql/views.sql and
    # sql/grants.sql are replayed on every migrate, in one transaction each, and stay
    # the one readable definition of each view and of what the runtime role may do
    # (grants come last: procrastinate's tables exist only after its schema).
    if path.exists():
        async with conn.transaction():
            await conn.execute(cast(LiteralString, path.read_text()))


async def _install_procrastinate_schema(url: str) -> None:
    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
    async with queue.open_async():
        await queue.schema_manager.apply_schema_async()
