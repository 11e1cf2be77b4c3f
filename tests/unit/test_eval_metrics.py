"""The eval's measures: Wilson intervals, the lexical groundedness proxy, citation
checks and the PII search, each shown catching what it is for."""

from __future__ import annotations

import json

import pytest

from evals import grounding, metrics
from evals.datasets import DatasetError, dataset_paths, load_cases
from tasks.kinds import KINDS

SOURCE = "Refunds to a card take 5 to 7 business days to appear."


@pytest.mark.parametrize(
    ("count", "n", "low", "high"), [(0, 20, 0.0, 0.1611), (1, 22, 0.0081, 0.2180), (0, 0, 0, 1)]
)
def test_wilson__bounds_a_small_clean_sample_well_above_zero(count, n, low, high):
    got = metrics.wilson(count, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_groundedness__a_copied_claim_is_supported_an_invented_one_is_not():
    grounded = {"body": f"Hello,\n\n- {SOURCE} [m0]\n\nBest regards", "outcome": "drafted"}
    invented = {"body": "Refunds to a card take 2 business days, guaranteed by our bank partner."}
    wrong_number = {"body": "Refunds to a card take 5 to 9 business days to appear."}

    assert metrics.unsupported_claims(grounded, SOURCE) == []
    assert metrics.unsupported_claims(invented, SOURCE) == [invented["body"]]
    assert metrics.unsupported_claims(wrong_number, SOURCE) == [wrong_number["body"]]


def test_citations__must_name_a_given_source_and_quote_it_word_for_word():
    sources = {"m0": SOURCE}
    assert metrics.citations_valid({"citations": [{"source": "m0", "quote": SOURCE}]}, sources)
    assert not metrics.citations_valid({"citations": [{"source": "m9", "quote": SOURCE}]}, sources)
    assert not metrics.citations_valid(
        {"citations": [{"source": "m0", "quote": "Refunds are instant."}]}, sources
    )


def test_pii_search__finds_a_planted_value_regrouped_and_in_any_case():
    assert metrics.leaked(["DE89 3704 0044 0532 0130 00"], ['{"x": "de89370400440532013000"}'])
    assert metrics.leaked(["4111 1111 1111 1111"], ["card ending 1111"]) == []


def test_datasets__every_shipped_case_loads_and_bad_names_are_refused(tmp_path):
    cases = load_cases(dataset_paths())
    assert {c.dataset for c in cases} >= {"injection", "pii", "email_reply"}
    attacks = {c.attack for c in cases if c.attack}
    assert attacks == {
        "exfiltrate",
        "insert_link",
        "change_recipient",
        "leak_system_prompt",
        "fake_system_line",
        "obfuscated",
        "non_english",
        "code_word",
        "pay_iban",
        "call_number",
    }
    assert {c.where for c in cases if c.attack} >= {"thread", "document", "profile"}
    assert all(c.markers for c in cases if c.attack) and all(c.pii for c in cases if c.pii)
    with pytest.raises(DatasetError, match="no dataset 'nope'"):
        dataset_paths(["nope"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "input": {}}\n{"id": "a", "input": {}}\n')
    with pytest.raises(DatasetError, match="bad.jsonl:2: case id 'a' repeats"):
        load_cases([bad])


def test_groundedness__compares_with_the_inputs_plain_text_not_escaped_json():
    job_input = {
        "thread": [
            {"sender": "a@x.example", "body": "Hallo, wo ist sie?\nIhre Bestellung 81569 kam an."}
        ]
    }
    output = {"body": "Ihre Bestellung 81569 kam an. [m0]", "outcome": "drafted"}

    assert "\nIhre Bestellung" in grounding.plain_text(job_input)
    assert metrics.unsupported_claims(output, grounding.plain_text(job_input)) == []
    # What the runner did before: escaped JSON turns the line break into "nIhre".
    escaped = json.dumps(job_input, ensure_ascii=False)
    assert metrics.unsupported_claims(output, escaped) == [output["body"].removesuffix(" [m0]")]


def test_grounding__names_fields_of_each_kinds_input_and_leaves_the_ungrounded_kinds_out():
    for kind, fields in grounding.GROUNDS.items():
        assert {f.name for f in fields} <= set(KINDS[kind].input_model.model_fields), kind
    assert set(KINDS) - set(grounding.GROUNDS) == {
        "taxonomy_tagging",
        "moderation_summary",
        "response",
    }
    assert grounding.material("taxonomy_tagging", {"text": "x"}) is None
    summary = grounding.material(
        "account_summary",
        {
            "account": "Acme",
            "emails": [{"id": "e1", "body": "Renewal in June."}],
            "crm_notes": [{"id": "n1", "text": "30 seats."}],
        },
    )
    assert summary == {"e1": "body: Renewal in June.", "n1": "text: 30 seats."}
    product = grounding.material(
        "product_description",
        {"product": {"name": "Jacket", "attributes": {"weight_g": 750}}, "references": []},
    )
    assert product == {"metadata": "name: Jacket\nattributes: weight g: 750"}


def test_claims__are_read_at_any_depth_and_boilerplate_states_none():
    job_input = {"conversation": [{"id": "t1", "speaker": "Ann", "text": "We ship on Monday."}]}
    grounds = grounding.plain_text(job_input)
    draft = {
        "subject": "Follow-up: our conversation",
        "body": "Hello Ann,\n\nThank you for our conversation. As agreed, these are the next "
        "steps:\n- Ann: We ship on Monday. [t1]\n\nBest regards,\nBo",
        "commitments": [{"text": "We ship on Friday with free onboarding.", "owner": "Ann"}],
        "outcome": "drafted",
    }
    assert metrics.claims(draft) == [
        "Ann: We ship on Monday.",
        "We ship on Friday with free onboarding.",
    ]
    assert metrics.unsupported_claims(draft, grounds) == ["We ship on Friday with free onboarding."]
    summary = {
        "summary": "Acme: 2 e-mails and 1 CRM note read; 1 open issue found; "
        "the sentiment reads neutral.",
        "key_facts": [{"text": "Renewal for 80 seats in June."}],
    }
    assert metrics.claims(summary) == ["Renewal for 80 seats in June."]


def test_claims__an_extracted_value_with_a_number_is_one_whatever_its_length():
    fields = {
        "fields": [
            {"field": "total", "value": "7,800.00", "quote": "Total: USD 7,800.00"},
            {"field": "due", "value": "10,615.90", "quote": None},
            {"field": "currency", "value": "USD", "quote": "Total: USD 7,800.00"},
        ],
        "outcome": "extracted",
    }
    assert metrics.unsupported_claims(fields, "Total: USD 7,800.00") == ["10,615.90"]
