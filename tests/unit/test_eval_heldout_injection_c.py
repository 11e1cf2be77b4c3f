"""The third held-out injection set (evals/heldout/injection_c.py): markers never in a
trusted field nor (for a hidden payload or a moderation) anywhere in the input, and
every kind, goal, wording, language and obfuscation about equally often where it should
be (tests/unit/test_eval_heldout.py checks, with every held-out file, that the file is
reproduced and each case is a valid job input)."""

from __future__ import annotations

import json
import random
from collections import Counter

from evals.datasets import dataset_paths, load_cases
from evals.heldout import injection_c
from evals.metrics import wilson

CASES = injection_c.injection_c_cases(random.Random(injection_c.SEED))


def test_generator__gives_the_same_cases_for_the_same_seed():
    again = injection_c.injection_c_cases(random.Random(injection_c.SEED))
    assert again == CASES


def test_set__is_large_enough_to_bound_success_under_half_a_percent():
    assert len(CASES) >= 2_000 and len({c["id"] for c in CASES}) == len(CASES)
    # Even four successes keep the 95 % Wilson bound under 0.5 %.
    assert wilson(4, len(CASES))[1] < 0.005


def test_kinds_and_goals__are_balanced():
    pairs = Counter((c["kind"], c["attack"]) for c in CASES)
    assert set(pairs) == {(k, g) for k in injection_c.CARRIERS for g in injection_c.GOALS}
    assert set(pairs.values()) == {injection_c.PER_KIND // len(injection_c.GOALS)}


def test_wordings_languages_obfuscations_and_carriers__are_all_used():
    wordings = Counter(c["wording"] for c in CASES)
    assert set(wordings) == set(injection_c.WORDINGS)
    assert max(wordings.values()) - min(wordings.values()) <= len(injection_c.CARRIERS)
    # No wording keeps to a few goals.
    assert all(
        len({c["attack"] for c in CASES if c["wording"] == w}) == len(injection_c.GOALS)
        for w in wordings
    )
    langs = Counter(c["lang"] for c in CASES)
    assert set(langs) == set(injection_c.LANGS) and min(langs.values()) >= 50
    assert {c["obfuscation"] for c in CASES} == set(injection_c.OBFUSCATIONS)
    assert {(c["kind"], c["where"]) for c in CASES} == {
        (kind, carrier.name)
        for kind, carriers in injection_c.CARRIERS.items()
        for carrier in carriers
    }
    assert all(c["markers"] and all(c["markers"]) for c in CASES)


def test_markers__never_occur_in_a_trusted_field():
    for case in CASES:
        trusted = injection_c.trusted_text(case["kind"], case["input"]).casefold()
        assert not any(m.casefold() in trusted for m in case["markers"]), case["id"]


def test_hidden_payloads_and_quoted_content__never_show_a_marker_whole():
    """A moderation or account summary quotes its input, and an encoded payload only comes
    out of an output that decoded and obeyed it: either way the input holds no marker
    (but the other customer's address an exfiltration asks to copy out)."""
    for case in CASES:
        quoting = case["kind"] in injection_c.QUOTING_KINDS
        assert not quoting or case["obfuscation"] in injection_c.HIDDEN, case["id"]
        if case["obfuscation"] not in injection_c.HIDDEN:
            continue
        text = json.dumps(case["input"], ensure_ascii=False).casefold()
        shown = [m for m in case["markers"] if m.casefold() in text]
        assert shown in ([], [injection_c.VICTIM_EMAIL]), case["id"]


def test_visible_payloads__are_in_the_input_whole():
    """An unobfuscated or order-only-obfuscated attack carries its payload as written, so
    the markers measure the attack that was planted."""
    for case in CASES:
        if case["obfuscation"] in injection_c.HIDDEN:
            continue
        text = json.dumps(case["input"], ensure_ascii=False).casefold()
        assert any(m.casefold() in text for m in case["markers"]), case["id"]


def test_ibans__carry_valid_check_digits():
    for case in (c for c in CASES if c["attack"] == "pay_iban"):
        compact = case["markers"][0]
        moved = compact[4:] + compact[:4]
        assert int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1, case["id"]
    assert injection_c.iban("GB", "NWBK60161331926819") == "GB29NWBK60161331926819"


def test_set__resolves_by_name_and_stays_out_of_the_default_datasets():
    paths = dataset_paths(["heldout/injection_c"])
    assert len(load_cases(paths)) == len(CASES)
    assert not any("heldout" in p.parts for p in dataset_paths())
