"""Creating, revoking and checking API keys.

A key looks like ``ck_<key_id>_<secret>``: ``key_id`` is public (it appears in
logs and in ``courier keys revoke``), the secret is 192 random bits. Only the
SHA-256 of the whole key is stored; a fast hash is enough for a random secret
of that size, and it keeps authentication to one indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from app.db import ConstraintViolation, Database, NotFound
from app.errors import CourierError, UnauthenticatedError

_KEY = re.compile(r"^ck_(?P<key_id>[0-9a-f]{8})_[A-Za-z0-9_-]{32}$")
ROLES = ("reviewer", "admin")


class Unauthenticated(UnauthenticatedError):
    """Send a valid API key as 'Authorization: Bearer <key>'."""

    challenge = 'Bearer realm="courier"'


class InvalidKeyRequest(CourierError):
    """The key request is invalid."""


class UnknownKey(CourierError):
    """No such API key."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user of a tenant, with the groups and roles of their key."""

    id: UUID
    tenant_id: UUID
    external_id: str
    acl_groups: tuple[str, ...]
    roles: tuple[str, ...]
    key_id: str

    @property
    def actor(self) -> str:
        return f"principal:{self.id}"


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class PrincipalCache(Protocol):
    async def principal(
        self, key_hash: bytes, lookup: Callable[[], Awaitable[Principal]]
    ) -> Principal: ...


class KeyService:
    def __init__(self, db: Database, cache: PrincipalCache | None = None) -> None:
        """``cache``: where the API keeps recent lookups (:class:`app.keys.cache.KeyCache`);
        None looks every key up."""
        self.db = db
        self.cache = cache

    async def create(
        self,
        tenant: str,
        user: str,
        groups: list[str] | None = None,
        roles: list[str] | None = None,
    ) -> tuple[str, Principal]:
        """A new key for ``user`` of ``tenant`` (both created as needed), with exactly
        these groups and roles (none when not given); returns the key and its principal.

        The roles and groups belong to the new key alone and never change: issuing
        another key to the same user leaves this one as it is, and this one leaves the
        user's other keys as they are.
        """
        unknown = sorted(set(roles or []) - set(ROLES))
        if unknown:
            raise InvalidKeyRequest(f"unknown role {unknown[0]!r}; roles are: {', '.join(ROLES)}")
        key_id = secrets.token_hex(4)
        key = f"ck_{key_id}_{secrets.token_urlsafe(24)}"
        try:
            async with self.db.transaction() as conn:
                tenant_row = await self.db.fetch_one("tenant_ensure", conn, slug=tenant)
                principal = await self.db.fetch_one(
                    "principal_ensure", conn, tenant_id=tenant_row["id"], external_id=user
                )
                rights = await self.db.fetch_one(
                    "api_key_insert",
                    conn,
                    key_id=key_id,
                    key_hash=hash_key(key),
                    tenant_id=tenant_row["id"],
                    principal_id=principal["id"],
                    acl_groups=list(dict.fromkeys(groups or [])),
                    roles=[role for role in ROLES if role in (roles or [])],
                )
        except ConstraintViolation as exc:
            raise InvalidKeyRequest(explain_refusal(exc.constraint)) from exc
        return key, Principal(
            id=principal["id"],
            tenant_id=principal["tenant_id"],
            external_id=principal["external_id"],
            acl_groups=tuple(rights["acl_groups"]),
            roles=tuple(rights["roles"]),
            key_id=key_id,
        )

    async def revoke(self, key_or_id: str) -> dict:
        """Revoke a key given whole or by its key_id; returns key_id, revoked_at and
        already_revoked."""
        match = _KEY.match(key_or_id)
        key_id = match["key_id"] if match else key_or_id
        try:
            row = await self.db.fetch_one("api_key_revoke", key_id=key_id)
        except NotFound as exc:
            raise UnknownKey(f"no API key with key_id {key_id!r}") from exc
        return row

    async def authenticate(self, authorization: str | None) -> Principal:
        """The principal of an ``Authorization: Bearer <key>`` header value."""
        scheme, _, key = (authorization or "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not _KEY.match(key):
            raise Unauthenticated()
        key_hash = hash_key(key)

        async def lookup() -> Principal:
            try:
                row = await self.db.fetch_one("api_key_authenticate", key_hash=key_hash)
            except NotFound as exc:
                raise Unauthenticated("the API key is unknown or revoked") from exc
            return principal_from_row(row)

        if self.cache is None:
            return await lookup()
        return await self.cache.principal(key_hash, lookup)

    async def is_live(self, key: str) -> bool:
        return bool((await self.db.fetch_one("api_key_is_live", key_hash=hash_key(key)))["live"])


def principal_from_row(row: dict) -> Principal:
    """The principal a key lookup (or a console session's) returns, from its row."""
    return Principal(
        id=row["principal_id"],
        tenant_id=row["tenant_id"],
        external_id=row["external_id"],
        acl_groups=tuple(row["acl_groups"]),
        roles=tuple(row["roles"]),
        key_id=row["key_id"],
    )


def explain_refusal(constraint: str | None) -> str:
    """What a refused tenant, user or role means, for a person (API and CLI)."""
    return {
        "tenants_slug_format": (
            "tenant must be 1-63 characters of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit"
        ),
        "principals_external_id_format": "user must be 1-200 characters",
        "api_keys_roles_known": f"roles are: {', '.join(ROLES)}",
    }.get(constraint or "", f"refused by the database ({constraint})")
