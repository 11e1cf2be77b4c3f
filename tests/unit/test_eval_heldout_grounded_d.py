"""The fourth, blind held-out grounded set (evals/heldout/grounded_d.py): its own trap
families, balance and languages (tests/unit/test_eval_heldout_grounded_sets.py checks
what it shares with the later sets: true labels, coverage, blindness; and
tests/unit/test_eval_heldout.py, with every held-out file, that the generator reproduces
the committed file and that each case is a valid job input)."""

from __future__ import annotations

import json
import random
from collections import Counter

from evals.heldout import grounded_d
from evals.heldout.generate import GROUNDED_D_SEED

CASES = grounded_d.grounded_d_cases(random.Random(GROUNDED_D_SEED))
TRAPS = {
    "exception",
    "range",
    "percent",
    "timezone",
    "attachment",
    "customer_claim",
    "in_progress",
    "missing",
}


def test_labels__a_wrong_figure_inside_a_right_source_is_checked_by_its_passage():
    """An exception's general figure is a distractor only inside its sentence: stated
    again outside it (in the exception itself), the label is false."""
    first = next(c for c in CASES if c["pattern"] == "exception" and c["kind"] == "support_answer")
    case = json.loads(json.dumps(first))
    general = next(f for f, o in case["banned"].items() if o == "distractor")
    source = next(s for s in case["input"]["sources"] if s["id"] == case["distractor"])
    source["text"] += f" Both rates: {general}."
    assert grounded_d.mislabelled(case) == [f"banned {general!r} is not only in the distractor"]


def test_set__balances_kinds_languages_origins_and_traps():
    assert len(CASES) == sum(grounded_d.COUNTS.values())
    assert all(20 <= n <= 25 for k, n in grounded_d.COUNTS.items() if n != 80)
    langs = Counter(c["lang"] for c in CASES)
    assert langs["en"] > len(CASES) / 2
    assert all(langs[lang] >= 15 for lang in ("fr", "de", "es"))
    origins = Counter(o for c in CASES for o in c["banned"].values())
    assert origins["invented"] >= 250 and origins["distractor"] >= 50
    patterns = Counter(c["pattern"] for c in CASES)
    assert set(patterns) == TRAPS | {"plain"}
    # Real traffic is mostly plain: about a third of the set has no trap.
    assert 0.25 < patterns["plain"] / len(CASES) < 0.4
