"""Forward-only schema migrations.

``migrations/NNNN_snake_name.sql`` files are applied in order, each in its own
transaction, under a session advisory lock so concurrent starters wait for one
another; each is recorded with the SHA-256 of its text, and a database whose
applied file was edited afterwards is refused.

procrastinate's own schema comes next: a new database gets procrastinate's
``schema.sql``; an existing one gets the files of procrastinate's
``sql/migrations`` that the installed procrastinate has and the database lacks
(an upgrade of procrastinate), each in its own transaction. procrastinate does not
record which it applied, so Courier does (``courier_procrastinate_migrations``),
and :func:`check` refuses a queue schema that does not match the installed
procrastinate: older (run ``courier migrate``) or newer by a *post* migration
(procrastinate's word for a change the code before it may not survive).

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
from procrastinate.schema import SchemaManager

from app.db import Database, assume_role
from app.errors import CourierError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VIEWS_FILE = Path(__file__).resolve().parent.parent / "sql" / "views.sql"
GRANTS_FILE = Path(__file__).resolve().parent.parent / "sql" / "grants.sql"
FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")
QUEUE_MIGRATIONS_DIR = Path(SchemaManager.get_migrations_path())
# Courier records procrastinate's migrations from its migration 0008 on. A queue
# schema found without records was installed earlier by procrastinate 3.10 (the
# floor of Courier's requirement since its first release, and then the newest),
# whose newest migration files are those of 03.04.00.
UNRECORDED_QUEUE_SCHEMA = "03.04.00"


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


@dataclass(frozen=True)
class QueueMigration:
    """One file of procrastinate's ``sql/migrations``:
    ``{xx.yy.zz}_{nn}_{pre|post}_description.sql``."""

    name: str
    sql: str

    @property
    def version(self) -> str:
        return self.name[:8]

    @property
    def post(self) -> bool:
        """Whether code older than it may break once it is applied (procrastinate:
        files marked neither pre nor post are post)."""
        return self.name.split("_")[2] != "pre"


def discover_queue(directory: Path = QUEUE_MIGRATIONS_DIR) -> list[QueueMigration]:
    """procrastinate's migration files, in the order they apply."""
    return [QueueMigration(path.name, path.read_text()) for path in sorted(directory.glob("*.sql"))]


def queue_schema_mismatch(recorded: list[str], migrations: list[QueueMigration]) -> str | None:
    """Why a queue schema with the ``recorded`` files does not fit code shipped with
    ``migrations``, in one line; None when it fits."""
    missing = [m.name for m in migrations if m.name not in set(recorded)]
    if missing:
        return (
            f"the database's procrastinate schema is older than procrastinate "
            f"{procrastinate.__version__} ({len(missing)} migration(s) missing, from "
            f"{missing[0]}): run `courier migrate`"
        )
    return _newer_schema(recorded, migrations)


def _newer_schema(recorded: list[str], migrations: list[QueueMigration]) -> str | None:
    # A newer *pre* migration fits: procrastinate applies those before deploying the
    # code that needs them, so the code before them runs on them.
    known = {m.name for m in migrations}
    newer = [name for name in recorded if name not in known and QueueMigration(name, "").post]
    if newer:
        return (
            f"the database's procrastinate schema is newer than procrastinate "
            f"{procrastinate.__version__} (it has {newer[-1]}): run the Courier release "
            "that migrated it"
        )
    return None


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
    queue_migrations: Path = QUEUE_MIGRATIONS_DIR,
) -> list[str]:
    """Apply what is pending, then procrastinate's schema or its pending migrations,
    then (re)create the DBA views and the runtime role's grants; returns the names of
    the files applied."""
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
            applied = [m.name for m in todo]
            applied += await _migrate_queue(db, conn, discover_queue(queue_migrations))
            await _replay(conn, views)
            await _replay(conn, grants)
        finally:
            await db.execute("courier_migration_unlock", conn)
    return applied


async def check(
    url: str, directory: Path = MIGRATIONS_DIR, queue_migrations: Path = QUEUE_MIGRATIONS_DIR
) -> None:
    """Refuse to run against a database that is not fully migrated with these files, or
    whose procrastinate schema does not match the installed procrastinate."""
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
        recorded = await db.fetch_all("courier_procrastinate_migration_list", conn)
    mismatch = queue_schema_mismatch(
        [r["name"] for r in recorded], discover_queue(queue_migrations)
    )
    if mismatch:
        raise MigrationError(mismatch)


async def _migrate_queue(
    db: Database, conn: psycopg.AsyncConnection, migrations: list[QueueMigration]
) -> list[str]:
    """Install procrastinate's schema, or apply the migration files it lacks; returns
    what was applied."""
    installed = (await db.fetch_one("courier_migration_procrastinate_installed", conn))["installed"]
    if not installed:
        # schema.sql is every migration file at once: record them all with it.
        async with conn.transaction():
            await conn.execute(SchemaManager.get_schema())
            await _record_queue(db, conn, [m.name for m in migrations])
        return ["procrastinate schema"]
    recorded = {r["name"] for r in await db.fetch_all("courier_procrastinate_migration_list", conn)}
    if not recorded:
        recorded = {m.name for m in migrations if m.version <= UNRECORDED_QUEUE_SCHEMA}
        await _record_queue(db, conn, sorted(recorded))
    if newer := _newer_schema(sorted(recorded), migrations):
        raise MigrationError(newer)
    todo = [m for m in migrations if m.name not in recorded]
    for migration in todo:
        async with conn.transaction():
            await conn.execute(cast(LiteralString, migration.sql))
            await _record_queue(db, conn, [migration.name])
    return [f"procrastinate {m.name}" for m in todo]


async def _record_queue(db: Database, conn: psycopg.AsyncConnection, names: list[str]) -> None:
    await db.execute("courier_procrastinate_migration_insert", conn, names=names)


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
