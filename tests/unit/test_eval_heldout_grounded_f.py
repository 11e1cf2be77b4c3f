"""The sixth, blind held-out grounded set (evals/heldout/grounded_f.py): its own balance
of languages, origins and trap families, and none of the earlier sets' trap wording
(tests/unit/test_eval_heldout_grounded_sets.py checks what it shares with the other
sets: true labels, coverage, blindness; and tests/unit/test_eval_heldout.py, with every
held-out file, that the generator reproduces the committed file and that each case is a
valid job input)."""

from __future__ import annotations

import random
from collections import Counter

from evals import grounding
from evals.heldout import grounded_f
from evals.heldout.generate import GROUNDED_F_SEED

CASES = grounded_f.grounded_f_cases(random.Random(GROUNDED_F_SEED))


def test_set__balances_kinds_languages_origins_and_traps():
    assert all(20 <= n <= 24 for k, n in grounded_f.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    # About a quarter in French, German or Spanish.
    assert 0.2 < (len(CASES) - langs["en"]) / len(CASES) < 0.33
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= len(CASES) and origins["distractor"] >= 150
    patterns = Counter(c["pattern"] for c in CASES)
    # Real traffic is mostly plain: about a third has no trap, a third an old family in
    # new words, a third a new family.
    old = sum(patterns[p] for p in grounded_f.OLD_FAMILIES)
    new = sum(patterns[p] for p in grounded_f.NEW_FAMILIES)
    for share in (patterns["plain"], old, new):
        assert 0.28 < share / len(CASES) < 0.4


def test_set__uses_none_of_the_earlier_sets_trap_wording():
    """Old families come in new forms: none of the earlier sets' tell-tale words."""
    worn = ("superseded", "no longer", "updated", "automatic summary", "archived")
    for case in CASES:
        text = grounding.plain_text(case["input"]).casefold()
        assert not [w for w in worn if w in text], case["id"]
