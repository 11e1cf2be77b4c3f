"""Stream tokens: hostile tokens are refused as such, a token names the secret that
signed it and the key that made it, and a rotation keeps earlier tokens valid for the
overlap."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from app.delivery.tokens import (
    InvalidStreamToken,
    SigningSecret,
    StreamGrant,
    StreamTokens,
    UnknownSigningSecret,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
OLD, NEW = SigningSecret(b"o" * 32), SigningSecret(b"n" * 32)


def _grant() -> StreamGrant:
    return StreamGrant(uuid4(), "0123abcd", uuid4())


def test_stream_token__names_its_secret_and_the_key_that_made_it():
    tokens = StreamTokens([OLD])
    grant = _grant()
    token = tokens.issue(grant, NOW + timedelta(hours=1))

    kid, body, _ = token.split(".")
    assert kid == OLD.kid != NEW.kid
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["k"] == "0123abcd"
    assert tokens.verify(token, now=NOW) == grant


def test_rotation__earlier_tokens_verify_until_their_secret_retires():
    tokens = StreamTokens([OLD])
    before = tokens.issue(_grant(), NOW + timedelta(days=2))

    tokens.replace([NEW, SigningSecret(OLD.value, retires_at=NOW + timedelta(days=1))])
    after = tokens.issue(_grant(), NOW + timedelta(days=2))

    assert after.split(".")[0] == NEW.kid  # the new secret signs
    tokens.verify(before, now=NOW)  # the old one still verifies...
    tokens.verify(after, now=NOW)
    with pytest.raises(InvalidStreamToken, match="rotated out"):
        tokens.verify(before, now=NOW + timedelta(days=1))  # ...until it retires
    tokens.verify(after, now=NOW + timedelta(days=1))


def test_configured_previous_secret__keeps_verifying_while_it_is_listed():
    before = StreamTokens([OLD]).issue(_grant(), NOW + timedelta(hours=1))

    assert StreamTokens([NEW, OLD]).verify(before, now=NOW)
    with pytest.raises(UnknownSigningSecret):
        StreamTokens([NEW]).verify(before, now=NOW)


def _signed(tokens: StreamTokens, claims: object) -> str:
    """A token whose claims are ``claims``, correctly signed (as if the secret leaked)."""
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    signed = f"{tokens.signing_kid}.{body}"
    return f"{signed}.{tokens._sign(tokens._keys[tokens.signing_kid][0], signed)}"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "é",
        "abc.é",
        f"{OLD.kid}.e30.{'é' * 43}",
        f"{OLD.kid}.é30.{'a' * 43}",
        f"{OLD.kid.upper()}.e30.{'a' * 43}",
        f"{OLD.kid}.e30.{'a' * 43}",  # well-formed, wrong signature
        f"{OLD.kid}.{'a' * 5000}.{'a' * 43}",
        "a.b.c.d",
        "\x00",
        "٣" * 60,
    ],
)
def test_stream_token__malformed_or_non_ascii_is_refused_as_invalid(token: str):
    with pytest.raises(InvalidStreamToken):
        StreamTokens([OLD]).verify(token, now=NOW)


@pytest.mark.parametrize(
    "claims",
    [
        [],
        "text",
        7,
        {"t": "not-a-uuid", "j": None, "k": "0123abcd", "e": 2_000_000_000},
        {"t": str(uuid4()), "j": 7, "k": "0123abcd", "e": 2_000_000_000},
        {"t": str(uuid4()), "j": None, "k": 7, "e": 2_000_000_000},
        {"t": str(uuid4()), "j": None, "k": "../x", "e": 2_000_000_000},
        {"t": str(uuid4()), "j": None, "e": 2_000_000_000},
        {"t": str(uuid4()), "j": None, "k": "0123abcd", "e": "soon"},
        {"t": str(uuid4()), "j": None, "k": "0123abcd", "e": 1e308},
        {"t": str(uuid4()), "j": None, "k": "0123abcd", "e": 10**400},
    ],
)
def test_stream_token__signed_claims_of_the_wrong_shape_are_refused(claims: object):
    tokens = StreamTokens([OLD])
    with pytest.raises(InvalidStreamToken):
        tokens.verify(_signed(tokens, claims), now=NOW)
