"""The eval's measures: Wilson intervals, the lexical groundedness proxy, citation
checks and the PII search, each shown catching what it is for."""

from __future__ import annotations

import pytest

from evals import metrics
from evals.datasets import DatasetError, dataset_paths, load_cases

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
