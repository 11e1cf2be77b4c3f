"""A key's roles and groups are its own: fixed when it is made, never changed by
issuing another key to the same user."""

from __future__ import annotations

import psycopg
import pytest

from app.db import Database
from app.keys.service import KeyService
from tests.support.requests import auth


async def _webhooks_status(http, key: str) -> int:
    """GET /v1/webhooks is for admin keys only: 200 for an admin key, 403 otherwise."""
    return (await http.get("/v1/webhooks", headers=auth(key))).status_code


async def test_keys__an_admin_key_issued_after_a_plain_one_leaves_the_plain_one_plain(
    http, admin_db: Database, db: Database
):
    keys = KeyService(admin_db)
    plain, _ = await keys.create("acme", "alice", ["support"])
    admin, made = await keys.create("acme", "alice", ["sales"], ["admin"])

    assert made.roles == ("admin",) and made.acl_groups == ("sales",)
    assert (await _webhooks_status(http, plain), await _webhooks_status(http, admin)) == (403, 200)
    first = await KeyService(db).authenticate(f"Bearer {plain}")
    second = await KeyService(db).authenticate(f"Bearer {admin}")
    assert (first.roles, first.acl_groups) == ((), ("support",))
    assert (second.roles, second.acl_groups) == (("admin",), ("sales",))
    assert first.id == second.id  # one user, two keys with their own rights


async def test_keys__a_reviewer_key_issued_after_an_admin_one_leaves_the_admin_one_admin(
    http, admin_db: Database, db: Database
):
    keys = KeyService(admin_db)
    admin, _ = await keys.create("acme", "bob", ["support", "sales"], ["admin"])
    reviewer, _ = await keys.create("acme", "bob", [], ["reviewer"])
    plain, _ = await keys.create("acme", "bob")

    assert [await _webhooks_status(http, k) for k in (admin, reviewer, plain)] == [200, 403, 403]
    rights = [await KeyService(db).authenticate(f"Bearer {k}") for k in (admin, reviewer, plain)]
    assert [(p.roles, p.acl_groups) for p in rights] == [
        (("admin",), ("support", "sales")),
        (("reviewer",), ()),
        ((), ()),
    ]


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE api_keys SET roles = '{admin}' WHERE key_id = %s",
        "UPDATE api_keys SET acl_groups = '{everyone}' WHERE key_id = %s",
        "UPDATE api_keys SET principal_id = (SELECT id FROM principals WHERE external_id = "
        "'mallory') WHERE key_id = %s",
    ],
)
async def test_keys__rights_cannot_be_changed_afterwards_even_in_sql(
    admin_db: Database, sql_conn, change: str
):
    keys = KeyService(admin_db)
    await keys.create("acme", "mallory", None, ["admin"])
    _, made = await keys.create("acme", "dave")
    with pytest.raises(psycopg.errors.CheckViolation, match="fixed when it is made"):
        sql_conn.execute(change, (made.key_id,))
    await keys.revoke(made.key_id)  # revoking is the one change a key takes
    assert sql_conn.execute(
        "SELECT roles, acl_groups, revoked_at IS NOT NULL FROM api_keys WHERE key_id = %s",
        (made.key_id,),
    ).fetchone() == ([], [], True)
