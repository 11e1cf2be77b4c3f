"""The redactor (app/safety/redaction.py): each kind it knows, with its checksum, and
ordinary text it must leave alone."""

from __future__ import annotations

import pytest

from app.safety.redaction import carries_pii, iban_valid, luhn_valid, redact, redact_value


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write to jane.doe+billing@corp.example.co.uk today", "email"),
        ("card 4111 1111 1111 1111", "card"),
        ("card 5500-0000-0000-0004", "card"),
        ("amex 378282246310005", "card"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "iban"),
        ("IBAN DE89370400440532013000", "iban"),
        ("SSN 078-05-1120", "ssn"),
        ("from 203.0.113.77", "ip"),
        ("from 2001:db8::8a2e:370:7334", "ip"),
        ("call +1 (415) 555-0100", "phone"),
        ("call +44 20 7946 0958", "phone"),
        ("call 06 12 34 56 78", "phone"),
        ("call 0612345678", "phone"),
        ("key sk-proj-abcdefghijklmnopqrstuv12", "secret"),
        ("aws AKIAIOSFODNN7EXAMPLE", "secret"),
        ("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", "secret"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk", "secret"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "secret"),
        ('{"password": "hunter2hunter2"}', "secret"),
        ("api_key=Zx81kq00aa77", "secret"),
    ],
)
def test_redact__replaces_each_kind_by_its_placeholder(text, kind):
    redacted = redact(text)
    assert f"[{kind}]" in redacted
    assert redacted.split(f"[{kind}]")[0] == text[: len(redacted.split(f"[{kind}]")[0])]


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # Luhn fails
        "SSN 000-12-3456",  # impossible area
        "sent 2026-11-20 09:12:00, order 5521, INV-2041, epoch 1732093920",
        "Refunds take 5-7 business days; 3.5 stars; v1.2.3; 1,299.00 EUR",
        "job 01966c1e-4d8a-7c3b-9f2e-1a2b3c4d5e6f",
        "version 10.0.0.1a is not an address",
        "a plain sentence about a refund",
    ],
)
def test_redact__leaves_ordinary_text_alone(text):
    assert redact(text) == text


def test_redact__an_iban_whose_checksum_fails_is_no_iban():
    assert "[iban]" not in redact("IBAN GB82 WEST 1234 5698 7654 33")


def test_checksums():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert not luhn_valid("0000000000000000")  # one repeated digit is no card
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB82WEST12345698765433")


def test_redact_value__walks_json_keys_included():
    value = {"to": ["a@b.example"], "a@b.example": {"n": 1, "ip": "10.0.0.1"}}
    assert redact_value(value) == {"to": ["[email]"], "[email]": {"n": 1, "ip": "[ip]"}}
    assert carries_pii(value) and not carries_pii({"n": 1, "text": "nothing here"})


def test_redact__several_in_one_text():
    text = "mail a@b.example or call +33 6 12 34 56 78, card 4111-1111-1111-1111."
    assert redact(text) == "mail [email] or call [phone], card [card]."
