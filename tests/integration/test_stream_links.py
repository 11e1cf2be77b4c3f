"""Stream links as the API checks them: only while the key that made them is live and
of their tenant, and across a rotation that a process has not heard of yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.delivery.links import StreamKeyRevoked, StreamLinks, rotate_stream_secret
from app.delivery.tokens import InvalidStreamToken, SigningSecret, StreamGrant, StreamTokens
from app.keys.service import KeyService
from app.settings import DeliverySettings
from tests.support.jobs import principal_of
from tests.support.waiting import wait_for

SOON = datetime.now(UTC) + timedelta(hours=1)


async def test_stream_link__works_only_while_its_key_is_live_and_of_its_tenant(
    db, admin_db, make_key
):
    links = await StreamLinks.load(db, DeliverySettings())
    key, stranger = await make_key(), await make_key()
    principal, other = await principal_of(db, key), await principal_of(db, stranger)
    token = links.tokens.issue(StreamGrant(principal.tenant_id, principal.key_id), SOON)
    assert (await links.verify(token)).tenant_id == principal.tenant_id

    # A link naming a live key of another tenant (only a leaked secret could sign one).
    forged = links.tokens.issue(StreamGrant(principal.tenant_id, other.key_id), SOON)
    with pytest.raises(StreamKeyRevoked):
        await links.verify(forged)

    await KeyService(admin_db).revoke(key)
    with pytest.raises(StreamKeyRevoked):
        await links.verify(token)


async def test_stream_link__of_a_rotation_this_process_missed_verifies_after_a_reload(
    db, admin_db, make_key
):
    principal = await principal_of(db, await make_key())
    grant = StreamGrant(principal.tenant_id, principal.key_id)
    earlier = await StreamLinks.load(db, DeliverySettings())  # heard of no rotation since

    await rotate_stream_secret(admin_db, timedelta(hours=1))
    later = await StreamLinks.load(db, DeliverySettings())
    token = later.tokens.issue(grant, SOON)
    assert later.tokens.signing_kid != earlier.tokens.signing_kid

    async def verified() -> bool:
        try:
            return await earlier.verify(token) == grant
        except InvalidStreamToken:
            return False  # reloads at most once a second

    await wait_for(verified, what="the earlier process to learn the new secret")
    assert earlier.tokens.signing_kid == later.tokens.signing_kid


async def test_configured_secrets__sign_with_the_first_and_verify_with_every_listed_one(
    db, make_key
):
    principal = await principal_of(db, await make_key())
    grant = StreamGrant(principal.tenant_id, principal.key_id)
    before = StreamTokens([SigningSecret(b"o" * 32)]).issue(grant, SOON)

    links = await StreamLinks.load(
        db,
        DeliverySettings(stream_token_secret="n" * 32, stream_token_previous_secrets=["o" * 32]),
    )

    assert await links.verify(before) == grant
    assert links.tokens.signing_kid == SigningSecret(b"n" * 32).kid
