"""Migrations: well-named, forward-only, checksummed, and producing the expected schema."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from app.migrate import (
    FILE_NAME,
    MIGRATIONS_DIR,
    QUEUE_MIGRATIONS_DIR,
    UNRECORDED_QUEUE_SCHEMA,
    MigrationError,
    check,
    discover,
    migrate,
)
from tests.support.queue_schema import install_older_queue_schema, queue_catalog


def test_migration_files__are_numbered_snake_case_without_gaps():
    names = sorted(p.name for p in MIGRATIONS_DIR.glob("*"))
    assert names and all(FILE_NAME.match(n) for n in names)
    assert [m.version for m in discover()] == list(range(1, len(names) + 1))


def test_migrate__builds_the_expected_schema_and_records_checksums(empty_database):
    applied = asyncio.run(migrate(empty_database))
    assert applied[0] == "0001_foundation.sql" and applied[-1] == "procrastinate schema"
    assert asyncio.run(migrate(empty_database)) == []
    with psycopg.connect(empty_database) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
        constraints = {
            r[0]
            for r in conn.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'jobs'::regclass"
            ).fetchall()
        }
        states = [
            r[0]
            for r in conn.execute("SELECT unnest(enum_range(NULL::job_state))::text").fetchall()
        ]
        recorded = conn.execute(
            "SELECT version, length(checksum) FROM courier_migrations ORDER BY version"
        ).fetchall()
    assert {
        "tenants",
        "principals",
        "api_keys",
        "jobs",
        "job_events",
        "job_state_transitions",
        "courier_migrations",
        "procrastinate_jobs",
    } <= tables
    assert {
        "jobs_idempotency_key_unique",
        "jobs_running_has_lease",
        "jobs_finished_iff_terminal",
    } <= constraints
    assert states == [
        "queued",
        "running",
        "needs_review",
        "succeeded",
        "failed",
        "cancelled",
        "expired",
    ]
    assert recorded[0] == (1, 64)
    asyncio.run(check(empty_database))


def test_check__refuses_an_unmigrated_database(empty_database):
    with pytest.raises(MigrationError, match="courier migrate"):
        asyncio.run(check(empty_database))


def test_edited_migration__is_refused(empty_database, tmp_path: Path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    asyncio.run(migrate(empty_database, directory))
    first = sorted(directory.glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent edit\n")
    with pytest.raises(MigrationError, match="was edited after it was applied"):
        asyncio.run(migrate(empty_database, directory))
    with pytest.raises(MigrationError, match="was edited"):
        asyncio.run(check(empty_database, directory))


def test_new_migration__is_applied_in_order_and_a_failing_one_rolls_back(
    empty_database, tmp_path: Path
):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    asyncio.run(migrate(empty_database, directory))
    number = len(list(directory.glob("*.sql"))) + 1
    (directory / f"{number:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nSELECT 1/0;\n"
    )
    with pytest.raises(Exception, match="division by zero"):
        asyncio.run(migrate(empty_database, directory))
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)
        assert conn.execute("SELECT max(version) FROM courier_migrations").fetchone() == (
            number - 1,
        )


def test_badly_named_or_gapped_migrations__are_refused(tmp_path: Path):
    (tmp_path / "0001_ok.sql").write_text("SELECT 1;")
    (tmp_path / "0003_gap.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="expected migration number 0002"):
        discover(tmp_path)
    (tmp_path / "0003_gap.sql").unlink()
    (tmp_path / "2-Bad Name.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_snake_case"):
        discover(tmp_path)


def test_concurrent_migrators__apply_each_file_once(empty_database):
    async def both():
        return await asyncio.gather(migrate(empty_database), migrate(empty_database))

    first, second = asyncio.run(both())
    assert sorted([len(first), len(second)])[0] == 0
    with psycopg.connect(empty_database) as conn:
        assert conn.execute(
            "SELECT count(*) = count(DISTINCT version) FROM courier_migrations"
        ).fetchone() == (True,)


def test_migrate__creates_documented_dba_views(empty_database):
    asyncio.run(migrate(empty_database))
    asyncio.run(migrate(empty_database))  # replaying the views is harmless
    with psycopg.connect(empty_database) as conn:
        undocumented = conn.execute(
            "SELECT viewname FROM pg_views WHERE schemaname = 'public' "
            "AND obj_description(format('%I', viewname)::regclass, 'pg_class') IS NULL"
        ).fetchall()
        undocumented_columns = conn.execute(
            "SELECT c.relname::text, a.attname::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE c.relkind = 'v' AND n.nspname = 'public' "
            "AND coalesce(col_description(c.oid, a.attnum), '') = '' ORDER BY 1, a.attnum"
        ).fetchall()
        views = {
            r[0]
            for r in conn.execute(
                "SELECT viewname FROM pg_views WHERE schemaname = 'public'"
            ).fetchall()
        }
    assert "job_timeline" in views
    assert undocumented == []
    assert undocumented_columns == []


def test_key_rights_migration__existing_keys_keep_what_their_user_may_do_today(
    empty_database, tmp_path: Path
):
    """The migration that moves roles and groups onto keys copies each user's current
    ones onto each of their keys, and names who asked for the replays made before it."""
    migrations = discover()
    [ours] = [m for m in migrations if "CREATE FUNCTION courier_api_key_principal_v2" in m.sql]
    directory = tmp_path / "migrations"
    directory.mkdir()
    for migration in migrations:
        if migration.version < ours.version:
            shutil.copy(MIGRATIONS_DIR / migration.name, directory)
    no_views = tmp_path / "views.sql"
    no_views.write_text("SELECT 1;\n")  # today's views and grants name what later migrations add
    asyncio.run(migrate(empty_database, directory, no_views, no_views))
    with psycopg.connect(empty_database, autocommit=True) as conn:
        tenant = conn.execute("INSERT INTO tenants (slug) VALUES ('acme') RETURNING id").fetchone()[
            0
        ]
        alice, bob = (
            conn.execute(
                "INSERT INTO principals (tenant_id, external_id, acl_groups, roles) "
                "VALUES (%s, %s, %s, %s) RETURNING id",
                (tenant, user, groups, roles),
            ).fetchone()[0]
            for user, groups, roles in (
                ("alice", ["support", "sales"], ["admin"]),
                ("bob", [], ["reviewer"]),
            )
        )
        for key_id, principal in (("aaaa0001", alice), ("aaaa0002", alice), ("bbbb0001", bob)):
            conn.execute(
                "INSERT INTO api_keys (key_id, key_hash, tenant_id, principal_id) "
                "VALUES (%s, %s, %s, %s)",
                (key_id, key_id.encode(), tenant, principal),
            )

        def job(actor: str, key: str, replay_of=None):
            with conn.transaction():
                conn.execute("SELECT set_config('courier.actor', %s, true)", (actor,))
                return conn.execute(
                    "INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key, "
                    "request_hash, expires_at, replay_of) "
                    "VALUES (%s, %s, 'email_reply', '{}', %s, 'h', now() + interval '1 hour', %s) "
                    "RETURNING id",
                    (tenant, alice, key, replay_of),
                ).fetchone()[0]

        original = job(f"principal:{alice}", "o")
        by_bob = job(f"principal:{bob}", "r1", original)
        backfilled = job("cli:backfill", f"backfill:email_reply/1:{original}", original)
        conn.execute("UPDATE jobs SET state = 'cancelled' WHERE id = %s", (backfilled,))
        # A tenant's replay under a key shaped like a backfill's is still the tenant's.
        shaped = job(f"principal:{bob}", f"backfill:x:{original}", original)

    shutil.copy(MIGRATIONS_DIR / ours.name, directory)
    asyncio.run(migrate(empty_database, directory, no_views, no_views))
    asyncio.run(migrate(empty_database))  # any later migrations, and the views
    with psycopg.connect(empty_database) as conn:
        keys = conn.execute("SELECT key_id, roles, acl_groups FROM api_keys ORDER BY key_id")
        assert keys.fetchall() == [
            ("aaaa0001", ["admin"], ["support", "sales"]),
            ("aaaa0002", ["admin"], ["support", "sales"]),
            ("bbbb0001", ["reviewer"], []),
        ]
        replays = conn.execute(
            "SELECT id, replayed_by_id, backfill_batch, version FROM jobs "
            "WHERE replay_of IS NOT NULL ORDER BY id"
        ).fetchall()
        assert replays == [
            (by_bob, bob, None, 1),
            (backfilled, None, "email_reply/1", 2),
            (shaped, bob, None, 1),
        ]


def test_migrate__upgrades_an_older_procrastinate_schema_to_the_installed_one(
    empty_database, template_database, postgres_admin_url, tmp_path: Path
):
    """A database migrated when procrastinate was older gets the newer procrastinate's
    migration files, and ends with the schema a fresh install has."""
    older = install_older_queue_schema(empty_database, "03.02.00", tmp_path / "older")
    asyncio.run(migrate(empty_database, queue_migrations=older))  # by that older release
    newer = sorted(p.name for p in QUEUE_MIGRATIONS_DIR.glob("*.sql") if p.name[:8] > "03.02.00")
    assert newer, "the installed procrastinate has migrations after 03.02.00"
    with pytest.raises(MigrationError, match="procrastinate schema is older.*courier migrate"):
        asyncio.run(check(empty_database))

    applied = asyncio.run(migrate(empty_database))

    assert applied == [f"procrastinate {name}" for name in newer]
    asyncio.run(check(empty_database))
    fresh = make_conninfo(postgres_admin_url, dbname=template_database)
    assert queue_catalog(empty_database) == queue_catalog(fresh)
    assert asyncio.run(migrate(empty_database)) == []  # nothing left to do


def test_check__refuses_a_procrastinate_schema_newer_than_the_installed_one(empty_database):
    asyncio.run(migrate(empty_database))
    with psycopg.connect(empty_database, autocommit=True) as conn:
        # A newer release's pre-migration: the code before it still runs on it.
        conn.execute(
            "INSERT INTO courier_procrastinate_migrations VALUES ('99.00.00_01_pre_next.sql')"
        )
        asyncio.run(check(empty_database))
        conn.execute(
            "INSERT INTO courier_procrastinate_migrations VALUES ('99.00.00_50_post_next.sql')"
        )
    with pytest.raises(MigrationError, match="newer than procrastinate .*99.00.00_50_post_next"):
        asyncio.run(check(empty_database))
    with pytest.raises(MigrationError, match="newer"):
        asyncio.run(migrate(empty_database))


def test_migrate__takes_an_unrecorded_procrastinate_schema_for_the_one_courier_shipped_with(
    empty_database, tmp_path: Path
):
    """Databases migrated before Courier recorded procrastinate's files have the schema
    of procrastinate 3.10: recorded as such, they get only what came after it."""
    install_older_queue_schema(empty_database, UNRECORDED_QUEUE_SCHEMA, tmp_path / "shipped")
    later = sorted(
        p.name for p in QUEUE_MIGRATIONS_DIR.glob("*.sql") if p.name[:8] > UNRECORDED_QUEUE_SCHEMA
    )

    applied = asyncio.run(migrate(empty_database))

    assert [name for name in applied if name.startswith("procrastinate")] == [
        f"procrastinate {name}" for name in later
    ]
    asyncio.run(check(empty_database))
