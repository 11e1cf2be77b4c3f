"""The database seam's safety net: text PostgreSQL cannot store becomes a 400-category
error, whichever way it got past the request checks, and nothing is written."""

from __future__ import annotations

import uuid
from typing import LiteralString

import pytest

from app.db import Database, UnstorableText
from app.errors import BadRequestError
from app.queries import Query, load_queries


def _with(sql: LiteralString) -> dict[str, Query]:
    return load_queries() | {"probe": Query("probe", "one", sql, "test:1")}


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("SELECT %(value)s::text AS v", "nul\x00byte"),  # psycopg refuses it, with no SQLSTATE
        ("SELECT %(value)s::text[] AS v", ["ok", "\x00"]),
        ("SELECT %(value)s::text AS v", "lone \ud800 surrogate"),  # no UTF-8 spelling at all
        ("SELECT %(value)s::jsonb AS v", {"a": "\x00"}),  # 22P05 from the server
        ("SELECT convert_from(%(value)s::bytea, 'UTF8') AS v", b"\xff\xfe"),  # 22021
    ],
    ids=["nul", "nul-in-array", "surrogate", "jsonb-nul", "invalid-utf8"],
)
async def test_seam__text_postgres_cannot_store_is_a_bad_request(db: Database, sql, value):
    probing = Database(db.pool, _with(sql))
    with pytest.raises(UnstorableText) as refused:
        await probing.fetch_one("probe", value=value)
    assert isinstance(refused.value, BadRequestError)
    described = refused.value.describe()
    assert described.status == 400
    assert "NUL" in described.detail and "\x00" not in described.detail


async def test_seam__a_refused_write_in_a_transaction_writes_nothing(
    db: Database, admin_db, sql_conn
):
    tenant = await admin_db.fetch_one("tenant_ensure", slug=f"t-{uuid.uuid4().hex[:8]}")
    with pytest.raises(BadRequestError):
        async with db.transaction() as conn:
            await db.fetch_one(
                "webhook_endpoint_insert",
                conn,
                tenant_id=tenant["id"],
                url="https://example.com/hook",
                description="fine",
                event_types=None,
                include_result=False,
            )
            await db.fetch_one(
                "webhook_endpoint_insert",
                conn,
                tenant_id=tenant["id"],
                url="https://example.com/hook",
                description="night\x00shift",
                event_types=None,
                include_result=False,
            )
    assert sql_conn.execute("SELECT count(*) FROM webhook_endpoints").fetchone() == (0,)
