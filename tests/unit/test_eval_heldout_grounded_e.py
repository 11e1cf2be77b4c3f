"""The fifth, blind held-out grounded set (evals/heldout/grounded_e.py): its own balance
and languages (tests/unit/test_eval_heldout_grounded_sets.py checks what it shares with
the other sets: true labels, coverage, blindness; and tests/unit/test_eval_heldout.py,
with every held-out file, that the generator reproduces the committed file and that each
case is a valid job input)."""

from __future__ import annotations

import random
from collections import Counter

from evals.heldout import grounded_e
from evals.heldout.generate import GROUNDED_E_SEED

CASES = grounded_e.grounded_e_cases(random.Random(GROUNDED_E_SEED))


def test_set__balances_kinds_languages_origins_and_traps():
    assert all(20 <= n <= 25 for k, n in grounded_e.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    assert langs["en"] > len(CASES) / 2
    assert all(langs[lang] >= 15 for lang in ("fr", "de", "es"))
    # Other languages carry traps too, not only the plain cases.
    assert all(
        {c["pattern"] for c in CASES if c["lang"] == lang} - {"plain"} for lang in ("fr", "de")
    )
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= 250 and origins["distractor"] >= 100
    patterns = Counter(c["pattern"] for c in CASES)
    # Real traffic is mostly plain: about a third of the set has no trap.
    assert 0.25 < patterns["plain"] / len(CASES) < 0.4
