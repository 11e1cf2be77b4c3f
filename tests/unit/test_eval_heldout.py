"""The held-out red-team set (evals/heldout/): the generator reproduces the committed
files byte for byte, every case is a valid job input of its kind, and the set covers
what it claims (every kind with untrusted text, every goal, language, wording and
obfuscation; checksum-valid PII of every family)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from app.jobs.schemas import JobRequest
from evals.datasets import dataset_paths, load_cases
from evals.heldout import attacks, pii
from evals.heldout.generate import OUT_DIR, build
from tasks.kinds import KINDS

KINDS_WITH_UNTRUSTED_TEXT = {
    "email_reply",
    "account_summary",
    "follow_up_draft",
    "support_answer",
    "product_description",
    "metadata_enrichment",
    "moderation_summary",
    "taxonomy_tagging",
    "bio",
    "document_extraction",
}
BUILT = build()


def _cases(name: str) -> list[dict]:
    return [json.loads(line) for line in BUILT[name].splitlines()]


@pytest.mark.parametrize("name", sorted(BUILT))
def test_generator__reproduces_the_committed_file_byte_for_byte(name):
    assert (OUT_DIR / name).read_bytes() == BUILT[name].encode("utf-8")


@pytest.mark.parametrize("name", sorted(BUILT))
def test_every_case__is_a_valid_job_input_of_its_kind(name):
    for case in _cases(name):
        KINDS[case["kind"]].input_model.model_validate(case["input"])
        JobRequest.model_validate({"kind": case["kind"], "input": case["input"]})


def test_injection_set__covers_every_kind_goal_language_wording_and_obfuscation():
    cases = _cases("injection.jsonl")
    assert len(cases) >= 600 and len({c["id"] for c in cases}) == len(cases)
    assert {(c["kind"], c["attack"]) for c in cases} == {
        (k, g) for k in KINDS_WITH_UNTRUSTED_TEXT for g in attacks.GOALS
    }
    assert {c["lang"] for c in cases} == set(attacks.LANGS)
    assert {c["wording"] for c in cases} == set(attacks.WORDINGS)
    assert {c["obfuscation"] for c in cases} == {"none", *attacks.OBFUSCATIONS}
    assert all(c["markers"] and all(c["markers"]) for c in cases)
    # Every carrier of a kind is used.
    assert len({(c["kind"], c["where"]) for c in cases}) >= 30


def test_hidden_payloads__never_occur_whole_in_the_input():
    """Encoded, spelled and split attacks succeed only by an output that obeyed them
    (ROT13 leaves digits, so a phone number there stays readable: not checked)."""
    for case in _cases("injection.jsonl"):
        if case["obfuscation"] not in attacks.HIDDEN_OBFUSCATIONS:
            continue
        text = json.dumps(case["input"], ensure_ascii=False).casefold()
        planted = [m for m in case["markers"] if m.casefold() in text]
        if case["obfuscation"] == "rot13" and case["attack"] == "call_number":
            continue
        assert planted in ([], ["karl.meyer@hansen-logistik.example"]), case["id"]


def test_moderation_attacks__cannot_pass_for_a_quote_of_the_content():
    for case in _cases("injection.jsonl"):
        if case["kind"] == "moderation_summary":
            text = case["input"]["content"].casefold()
            assert not any(m.casefold() in text for m in case["markers"]), case["id"]


def test_pii_set__plants_checksum_valid_values_of_every_family_in_trusted_and_untrusted_fields():
    cases = _cases("pii.jsonl")
    assert len(cases) >= 100 and {c["kind"] for c in cases} == KINDS_WITH_UNTRUSTED_TEXT
    assert {c["trusted"] for c in cases} == {True, False}
    types = Counter(t for c in cases for t in c["pii_types"])
    assert set(types) == set(pii.GENERATORS)
    for case in cases:
        text = json.dumps(case["input"], ensure_ascii=False)
        for kind, value in zip(case["pii_types"], case["pii"], strict=True):
            assert value in text, (case["id"], value)
            family = pii.family(kind)
            if family == "card":
                assert pii.luhn_valid(value)
            if family == "iban":
                compact = value.replace(" ", "").upper()
                assert attacks.iban(compact[:2], compact[4:]) == compact
            if kind.startswith("de_steuer_id"):
                digits = value.replace(" ", "")
                assert pii.steuer_id_check(digits[:10]) == digits[10]
            if kind.startswith("fr_nir"):
                digits = value.replace(" ", "")
                assert 97 - int(digits[:13]) % 97 == int(digits[13:])
            if kind == "es_dni":
                assert re.fullmatch(r"\d{8}[A-Z]", value)


def test_luhn_and_iban_helpers__agree_with_published_examples():
    assert pii.luhn_valid("4111 1111 1111 1111") and not pii.luhn_valid("4111 1111 1111 1112")
    assert attacks.iban("GB", "NWBK60161331926819") == "GB29NWBK60161331926819"
    assert attacks.iban("DE", "370400440532013000") == "DE89370400440532013000"
    assert pii.steuer_id_check("8609574271") == "9"


def test_heldout__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/injection", "heldout/pii"])
    assert [p.parent.name for p in paths] == ["heldout", "heldout"]
    assert len(load_cases(paths)) == len(_cases("injection.jsonl")) + len(_cases("pii.jsonl"))
    assert not any("heldout" in p.parts for p in dataset_paths())
