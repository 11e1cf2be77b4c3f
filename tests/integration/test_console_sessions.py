"""Console sessions in the database, as the runtime role uses them: opened only for a
live key, resolved only while live and while the key is, never changed in place."""

from __future__ import annotations

import psycopg
import pytest

from app.console.session import ConsoleSessions
from app.db import Database
from app.keys.service import KeyService


async def test_console_sessions__open_for_a_live_key_and_end_with_it(
    db: Database, admin_db: Database
) -> None:
    key, principal = await KeyService(admin_db).create("cs-tenant", "cs-user", roles=["reviewer"])
    sessions = ConsoleSessions(db, ttl_seconds=600)
    opened = await sessions.open(key)
    assert opened is not None
    viewer = await sessions.viewer(opened.token)
    assert viewer is not None and viewer.principal == principal and viewer.is_reviewer
    await KeyService(admin_db).revoke(key)
    assert await sessions.viewer(opened.token) is None
    assert await sessions.open(key) is None  # a revoked key opens nothing


async def test_console_sessions__sign_out_ends_one_session_only(
    db: Database, admin_db: Database
) -> None:
    key, _ = await KeyService(admin_db).create("cs-tenant", "cs-user")
    sessions = ConsoleSessions(db, ttl_seconds=600)
    first, second = await sessions.open(key), await sessions.open(key)
    assert first is not None and second is not None
    await sessions.close(first.token)
    assert await sessions.viewer(first.token) is None
    assert await sessions.viewer(second.token) is not None


async def test_console_sessions__the_runtime_role_cannot_extend_a_session(
    db: Database, admin_db: Database
) -> None:
    key, _ = await KeyService(admin_db).create("cs-tenant", "cs-user")
    await ConsoleSessions(db, ttl_seconds=600).open(key)
    async with db.pool.connection() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("UPDATE console_sessions SET expires_at = expires_at + '1 day'")
