"""The seventh, blind held-out grounded set (evals/heldout/grounded_g.py): its own
balance of languages, origins and trap families, and none of the earlier sets' trap
wording (tests/unit/test_eval_heldout_grounded_sets.py checks what it shares with the
other sets: true labels, a careful answer quoting the line it relies on never counted
wrong, coverage, blindness; and tests/unit/test_eval_heldout.py, with every held-out
file, that the generator reproduces the committed file and that each case is a valid
job input)."""

from __future__ import annotations

import random
from collections import Counter

from evals import grounding
from evals.heldout import grounded_g
from evals.heldout.generate import GROUNDED_G_SEED

CASES = grounded_g.grounded_g_cases(random.Random(GROUNDED_G_SEED))


def test_set__balances_kinds_languages_origins_and_traps():
    assert all(20 <= n <= 24 for k, n in grounded_g.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    # About a quarter in French, German or Spanish.
    assert 0.2 < (len(CASES) - langs["en"]) / len(CASES) < 0.33
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= len(CASES) and origins["distractor"] >= 150
    patterns = Counter(c["pattern"] for c in CASES)
    # A realistic mix: about 40 % plain, 30 % an old family in new forms, 30 % a new one.
    old = sum(patterns[p] for p in grounded_g.OLD_FAMILIES)
    new = sum(patterns[p] for p in grounded_g.NEW_FAMILIES)
    assert 0.35 < patterns["plain"] / len(CASES) < 0.45
    assert 0.27 < old / len(CASES) < 0.34 and 0.27 < new / len(CASES) < 0.34


def test_set__uses_none_of_the_earlier_sets_trap_wording():
    """Old families come in new forms: none of the earlier sets' tell-tale words or marks."""
    worn = ("superseded", "no longer", "updated", "automatic summary", "archived", "~~", "edit:")
    for case in CASES:
        text = grounding.plain_text(case["input"]).casefold()
        assert not [w for w in worn if w in text], case["id"]
