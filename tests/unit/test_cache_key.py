"""The exact-match cache key: equal only when everything the answer depends on is."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.llm.cache_key import cache_key, source_version

TENANT = uuid.UUID("0190a000-0000-7000-8000-000000000001")


def _key(**changes: Any) -> str:
    fields: dict[str, Any] = {
        "tenant_id": TENANT,
        "kind": "email_reply",
        "step": "generate",
        "input": {"question": "When?", "thread": [{"body": "Hi"}]},
        "prompt_version": "reply.v1",
        "model": "gpt-4.1-mini",
        "acl_groups": ["support", "sales"],
        "sources": [("doc-1", "v3"), ("doc-2", "v1")],
    }
    return cache_key(**(fields | changes))


def test_cache_key__is_a_sha256_hex_and_stable():
    assert _key() == _key()
    assert len(_key()) == 64 and int(_key(), 16) >= 0


def test_cache_key__ignores_key_order_of_the_input_and_order_or_repeats_of_acl_groups():
    assert _key(input={"thread": [{"body": "Hi"}], "question": "When?"}) == _key()
    assert _key(acl_groups=["sales", "support", "sales"]) == _key()


@pytest.mark.parametrize(
    "change",
    [
        {"tenant_id": uuid.UUID("0190a000-0000-7000-8000-000000000002")},
        {"kind": "account_summary"},
        {"step": "generate.2"},
        {"input": {"question": "When?", "thread": [{"body": "Hello"}]}},
        {"prompt_version": "reply.v2"},
        {"model": "gpt-4.1"},
        {"acl_groups": ["support"]},
        {"acl_groups": []},
        {"sources": [("doc-1", "v4"), ("doc-2", "v1")]},
        {"sources": [("doc-1", "v3")]},
    ],
    ids=lambda change: next(iter(change)),
)
def test_cache_key__differs_when_anything_the_answer_depends_on_differs(change):
    assert _key(**change) != _key()


def test_cache_key__refuses_input_that_is_not_json_data():
    with pytest.raises(TypeError):
        _key(input={"when": object()})


def test_source_version__names_the_content_so_an_edited_source_is_another_version():
    assert source_version("The refund takes 5 days.") == source_version("The refund takes 5 days.")
    assert source_version("The refund takes 5 days.") != source_version("The refund takes 6 days.")
