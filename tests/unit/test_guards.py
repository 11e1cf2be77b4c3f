"""The output guards (app/safety/guards.py), each on its own, generic over kinds."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from app.safety.guards import check, constrained
from tasks.kinds.email_reply import Citation, EmailReplyDraft

TRUSTED = "Refunds take 5 days. Write to help@shop.example or call +33 6 12 34 56 78. See https://shop.example/refunds"


def _draft(body: str = "Refunds take 5 days.", source: str = "m0", subject: str = "Re: refund"):
    return EmailReplyDraft(
        subject=subject,
        body=body,
        citations=[Citation(source=source, quote="Refunds take 5 days.")],
        outcome="drafted",
    )


def _guards(output, **options):
    kwargs = {"sources": {"m0"}, "trusted": TRUSTED, "secrets": ["cnry-0011223344556677"]}
    return [v.guard for v in check(output, **(kwargs | options))]


def test_guards__a_grounded_answer_passes():
    assert (
        _guards(
            _draft(
                "Refunds take 5 days: help@shop.example, +33 612345678, https://shop.example/refunds."
            )
        )
        == []
    )


def test_citation__names_only_given_sources():
    assert _guards(_draft(source="m7")) == ["citation"]


def test_contact__a_link_address_or_number_not_in_the_trusted_text_fails():
    assert _guards(_draft("Verify at https://evil.example/login now")) == ["contact"]
    assert _guards(_draft("Write to payouts@evil.example")) == ["contact"]
    assert _guards(_draft("Call +1 415 555 0100")) == ["contact"]
    assert _guards(_draft(subject="Re: mail x@evil.example")) == ["contact"]


def test_canary__the_system_prompts_secrets_never_appear():
    assert _guards(_draft("my rules say cnry-0011223344556677")) == ["canary"]
    assert _guards(_draft("my rules say CNRY-0011 2233 4455 6677")) == ["canary"]


class _Labelled(BaseModel):
    label: Literal["spam", "ham"]
    items: list[Literal["a", "b"]]


def test_constrained__a_field_outside_its_allowed_values_fails():
    bad = _Labelled.model_construct(label="urgent", items=["a", "z"])
    assert [v.field for v in constrained(bad.model_dump(), _Labelled)] == ["label", "items[1]"]
    good = _Labelled(label="ham", items=["b"])
    assert list(constrained(good.model_dump(), _Labelled)) == []


def test_violation__names_guard_and_field_never_the_value():
    (violation,) = check(
        _draft("Write to payouts@evil.example"), sources={"m0"}, trusted=TRUSTED, secrets=[]
    )
    assert violation.field == "body" and "evil" not in str(violation.as_json())
