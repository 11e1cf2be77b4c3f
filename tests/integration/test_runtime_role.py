"""Least privilege: API, workers and relays run as courier_runtime, a role that owns
nothing, is not a superuser and cannot bypass row level security, even though the
configured URL is an administrator's (the test server's superuser)."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from app.db import Database, DatabaseError, RuntimeRoleUnavailable, create_pool
from app.jobs.queue import create_queue_app
from app.keys.service import KeyService, hash_key
from app.migrate import MigrationError, check, migrate
from tests.support.documents import act_tenant_wide
from tests.support.waiting import wait_for_sync


@dataclass(frozen=True)
class Reader:
    id: uuid.UUID
    tenant_id: uuid.UUID
    acl_groups: tuple[str, ...]


async def test_runtime_pool__acts_as_a_role_rls_applies_to(db: Database, sql_conn) -> None:
    role = await db.fetch_one("session_role")
    assert role["role"] == "courier_runtime"
    assert role["superuser"] is False
    assert role["bypass_rls"] is False
    # The URL is the administrator's: the pool switched role on its own.
    admin = sql_conn.execute(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    )
    assert admin.fetchone() == (role["connected_as"], True)


async def test_runtime_role__reads_which_procrastinate_migrations_are_applied(
    db: Database,
) -> None:
    """Start-up checks compare them with the installed procrastinate, as this role."""
    assert await db.fetch_all("courier_procrastinate_migration_list")


def test_runtime_role__owns_nothing(sql_conn) -> None:
    owned = sql_conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE r.rolname = 'courier_runtime'"
    ).fetchone()
    functions = sql_conn.execute(
        "SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
        "WHERE r.rolname = 'courier_runtime'"
    ).fetchone()
    assert owned == (0,) and functions == (0,)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE jobs ADD COLUMN sneaky text",
        "DROP TABLE job_events",
        "TRUNCATE outbox",
        "DELETE FROM webhook_endpoints",
        "SELECT key_hash FROM api_keys",
        "SELECT count(*) FROM api_keys",
        "UPDATE api_keys SET revoked_at = NULL",
        "CREATE TABLE planted (id int)",
        "ALTER ROLE courier_runtime BYPASSRLS",
    ],
)
async def test_runtime_role__is_refused(db: Database, database_url: str, statement: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute("SET ROLE courier_runtime")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute(statement)


async def test_authentication__looks_up_one_key_without_reading_hashes(
    db: Database, make_key
) -> None:
    key = await make_key(tenant="acme", user="alice", groups=["support"])
    principal = await KeyService(db).authenticate(f"Bearer {key}")
    assert principal.external_id == "alice" and principal.acl_groups == ("support",)
    assert await KeyService(db).is_live(key)
    assert not await KeyService(db).is_live(key[:-1] + ("A" if key[-1] != "A" else "B"))

    # The one door into api_keys: a hash in, that key's principal and rights out, never a hash.
    async with db.transaction() as conn:
        cur = await conn.execute("SELECT * FROM courier_api_key_principal_v2(%s)", (hash_key(key),))
        rows = await cur.fetchall()
        columns = [column.name for column in cur.description or []]
    assert len(rows) == 1 and "key_hash" not in columns
    assert rows[0][columns.index("acl_groups")] == ["support"]


async def _visible(db: Database, reader: Reader | None) -> list[str]:
    async with db.transaction(on_behalf_of=reader) as conn:
        cur = await conn.execute("SELECT body FROM rls_notes ORDER BY body")
        return [row[0] for row in await cur.fetchall()]


async def test_rls_policy__applies_to_runtime_sessions_also_after_a_reconnect(
    db: Database, sql_conn, notes_with_rls
) -> None:
    acme, other = uuid.uuid4(), uuid.uuid4()
    sql_conn.execute(
        "INSERT INTO rls_notes VALUES (%s, '{sales}', 'acme-sales'),"
        " (%s, '{support}', 'acme-support'), (%s, '{sales}', 'other-sales'),"
        " (%s, '{sales, \"a,b\"}', 'acme-quoted')",
        (acme, acme, other, acme),
    )
    sales = Reader(uuid.uuid4(), acme, ("sales",))
    assert await _visible(db, sales) == ["acme-quoted", "acme-sales"]
    assert await _visible(db, Reader(uuid.uuid4(), acme, ("a,b",))) == ["acme-quoted"]
    assert await _visible(db, None) == []  # nobody named: nothing visible, not everything

    # Kill every pooled connection: the replacements must act as the runtime role too.
    killed = [
        pid
        for pid, _ in sql_conn.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    ]
    # pg_terminate_backend only signals: wait until the backends are gone, or a check
    # could find one still answering that dies just after.
    wait_for_sync(
        lambda: (
            not sql_conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (killed,)
            ).fetchone()
        ),
        what="the terminated backends to exit",
    )
    await db.pool.check()
    assert await _visible(db, sales) == ["acme-quoted", "acme-sales"]
    assert (await db.fetch_one("session_role"))["role"] == "courier_runtime"


async def test_principal_settings__end_with_their_transaction(db: Database) -> None:
    reader = Reader(uuid.uuid4(), uuid.uuid4(), ("g1", 'with "quotes"'))
    async with db.transaction(on_behalf_of=reader) as conn:
        cur = await conn.execute(
            "SELECT current_setting('courier.tenant_id'), current_setting('courier.user_id'),"
            " current_setting('courier.groups')::text[]"
        )
        assert await cur.fetchone() == (
            str(reader.tenant_id),
            str(reader.id),
            list(reader.acl_groups),
        )
    # The next transaction on a pooled connection carries no identity of the last.
    for _ in range(3):
        async with db.transaction() as conn:
            cur = await conn.execute(
                "SELECT coalesce(current_setting('courier.tenant_id', true), '')"
            )
            assert await cur.fetchone() == ("",)


async def test_startup__refuses_a_user_that_may_not_act_as_the_runtime_role(
    database_url: str, sql_conn
) -> None:
    name = f"outsider_{uuid.uuid4().hex[:8]}"
    sql_conn.execute(f"CREATE ROLE {name} LOGIN")
    try:
        url = psycopg.conninfo.make_conninfo(database_url, user=name)
        # `courier api`, `worker` and `relay` check before they start, in one line...
        with pytest.raises(RuntimeRoleUnavailable, match="may not SET ROLE courier_runtime"):
            await check(url)
        # ...and a pool never hands out a connection acting as anyone else.
        pool = create_pool(url, min_size=1, max_size=1, timeout=1)
        with pytest.raises(DatabaseError):
            async with pool:
                await Database(pool).fetch_one("session_role")
    finally:
        sql_conn.execute(f"DROP ROLE {name}")


async def test_startup_log__names_the_role_each_process_runs_as(db: Database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="courier.test")
    await db.log_session_role(logging.getLogger("courier.test"), "api")
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "database_role"]
    assert (record.component, record.role, record.superuser, record.bypass_rls) == (
        "api",
        "courier_runtime",
        False,
        False,
    )


async def test_dedicated_login__granted_the_runtime_role_starts_and_acts_as_it(
    database_url: str, sql_conn, login_role
) -> None:
    name = login_role()
    sql_conn.execute(f"GRANT courier_runtime TO {name}")  # as the README says
    url = psycopg.conninfo.make_conninfo(database_url, user=name)
    await check(url)  # what `courier api`, `worker` and `relay` run first
    async with create_pool(url, min_size=1, max_size=1, timeout=5) as pool:
        role = await Database(pool).fetch_one("session_role")
    assert (role["role"], role["connected_as"], role["superuser"]) == (
        "courier_runtime",
        name,
        False,
    )


async def test_queue_listen_connection__acts_as_the_runtime_role(db: Database) -> None:
    # procrastinate opens its worker's LISTEN connection beside the pool it was given.
    queue_app = create_queue_app()
    await queue_app.open_async(pool=db.pool)
    try:
        connector = queue_app.connector
        async with connector._get_standalone_connection() as conn:  # type: ignore[attr-defined]
            cur = await conn.execute("SELECT current_user")
            assert await cur.fetchone() == ("courier_runtime",)
    finally:
        await queue_app.close_async()


async def test_migrate__by_an_owner_that_is_no_superuser_says_what_to_grant(
    postgres_admin_url: str, sql_conn, login_role
) -> None:
    # The role exists (another database of this server made it, as a superuser): an
    # owner without rights on it is told the one GRANT to run, then migrates.
    owner = login_role("CREATEROLE")
    with _owned_database(postgres_admin_url, owner) as (admin, db_admin_url):
        owner_url = psycopg.conninfo.make_conninfo(db_admin_url, user=owner)
        with pytest.raises(MigrationError, match="0007.*may not act as courier_runtime.*GRANT"):
            await migrate(owner_url)
        admin.execute(f"GRANT courier_runtime TO {owner} WITH SET TRUE")
        await migrate(owner_url)
        await check(owner_url)


@contextlib.contextmanager
def _owned_database(
    postgres_admin_url: str, owner: str
) -> Iterator[tuple[psycopg.Connection, str]]:
    """A database and its schema owned by ``owner`` (no superuser), with pgvector (which
    needs a superuser, as for any install); yields a superuser's connection to the
    server and the database's URL for a superuser. Dropped afterwards."""
    name = f"courier_owned_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(postgres_admin_url, autocommit=True)
    admin.execute(f"CREATE DATABASE {name} OWNER {owner}")
    try:
        db_admin_url = psycopg.conninfo.make_conninfo(postgres_admin_url, dbname=name)
        with psycopg.connect(db_admin_url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION vector")
            conn.execute(f"ALTER SCHEMA public OWNER TO {owner}")
        yield admin, db_admin_url
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


async def test_embedding_codes__follow_a_dbas_acl_change_when_the_owner_is_no_superuser(
    postgres_admin_url: str, login_role
) -> None:
    # Row level security is forced, so the codes' trigger (SECURITY DEFINER, run as the
    # owner) sees only the acting tenant's codes: a DBA's UPDATE without one must still
    # move them, or the shortlist would miss every re-grouped embedding.
    owner = login_role("CREATEROLE")
    with _owned_database(postgres_admin_url, owner) as (admin, db_admin_url):
        admin.execute(f"GRANT courier_runtime TO {owner} WITH SET TRUE")
        await migrate(psycopg.conninfo.make_conninfo(db_admin_url, user=owner))
        with psycopg.connect(db_admin_url, autocommit=True) as dba:
            tenant = dba.execute(
                "INSERT INTO tenants (slug) VALUES ('acme') RETURNING id"
            ).fetchone()[0]
            with dba.transaction():
                dba.execute("SET LOCAL ROLE courier_runtime")
                act_tenant_wide(dba, tenant)
                dba.execute(
                    "INSERT INTO embedding_models (model, dimensions, state, activated_at) "
                    "VALUES ('hashed-ngrams-384', 384, 'active', now())"
                )
                document = dba.execute(
                    "INSERT INTO documents (tenant_id, title, body, acl_groups, content_hash) "
                    "VALUES (%s, 'd', 'router firmware', '{a}', 'h') RETURNING id",
                    (tenant,),
                ).fetchone()[0]
                chunk = dba.execute(
                    "INSERT INTO chunks (document_id, tenant_id, acl_groups, ordinal, body) "
                    "VALUES (%s, %s, '{}', 0, 'router firmware') RETURNING id",
                    (document, tenant),
                ).fetchone()[0]
                dba.execute(
                    "INSERT INTO chunk_embeddings (chunk_id, model, tenant_id, acl_groups, "
                    "embedding) VALUES (%s, 'hashed-ngrams-384', %s, '{}', "
                    "array_fill(0.05, ARRAY[384])::vector)",
                    (chunk, tenant),
                )
            # The DBA, as a superuser, with no courier.* setting; asked in the same
            # transaction whether one is set now:
            with dba.transaction():
                dba.execute("UPDATE documents SET acl_groups = '{b}' WHERE id = %s", (document,))
                groups = dba.execute(
                    "SELECT (SELECT acl_groups FROM chunk_embeddings), "
                    "(SELECT acl_groups FROM chunk_embedding_codes), "
                    "current_setting('courier.tenant_id', true)"
                ).fetchone()
        assert groups[0] == groups[1] == ["b"]
        assert not groups[2]  # the trigger gave the caller its own settings back
