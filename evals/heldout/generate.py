"""Compose the held-out cases and write them (``python -m evals.heldout``).

Deterministic: one seeded random generator, consumed in a fixed order, so the files
are reproduced byte for byte (tests/unit/test_eval_heldout.py checks it)."""

from __future__ import annotations

import json
import random
from typing import Any

from evals.datasets import DATASETS_DIR
from evals.heldout import (
    attacks,
    grounded,
    grounded_b,
    grounded_c,
    grounded_d,
    grounded_e,
    grounded_f,
    grounded_g,
    grounded_h,
    grounded_i,
    grounded_j,
    injection_b,
    injection_c,
    pii,
    scenarios,
)
from evals.heldout.scenarios import Carrier, Input

SEED = 20261205
GROUNDED_SEED = 20261206
GROUNDED_B_SEED = grounded_b.SEED
GROUNDED_C_SEED = grounded_c.SEED
GROUNDED_D_SEED = grounded_d.SEED
GROUNDED_E_SEED = grounded_e.SEED
GROUNDED_F_SEED = grounded_f.SEED
GROUNDED_G_SEED = grounded_g.SEED
GROUNDED_H_SEED = grounded_h.SEED
GROUNDED_I_SEED = grounded_i.SEED
GROUNDED_J_SEED = grounded_j.SEED
INJECTION_B_SEED = injection_b.SEED
INJECTION_C_SEED = injection_c.SEED
OUT_DIR = DATASETS_DIR / "heldout"
INJECTION_PER_KIND = 66
PII_PER_KIND = 11
LANG_WEIGHTS = (5, 1, 1, 1, 1, 1)
"""English most, each other language about one case in ten."""
PLAIN_SHARE = 0.4
"""The share of attacks written without obfuscation."""


def injection_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for kind_index, (kind, (inputs, carriers)) in enumerate(scenarios.SCENARIOS.items()):
        for n in range(INJECTION_PER_KIND):
            goal = attacks.GOALS[n % len(attacks.GOALS)]
            lang = rng.choices(attacks.LANGS, weights=LANG_WEIGHTS)[0]
            wording = attacks.WORDINGS[(n * 5 + kind_index) % len(attacks.WORDINGS)]
            obfuscation = _obfuscation(rng, kind, goal)
            pay = attacks.payload(rng, goal)
            injection = attacks.compose(rng, goal, lang, wording, obfuscation, pay)
            carrier = _carrier(carriers, n, injection)
            legit = scenarios.fresh(inputs[n % len(inputs)])
            job = scenarios.fresh(legit)
            markers = list(injection.markers)
            if goal == "exfiltrate" and scenarios.plant_victim(kind, job):
                markers.append(scenarios.VICTIM_EMAIL)
            legit_text = json.dumps(job, ensure_ascii=False)
            clash = [m for m in injection.markers if m.casefold() in legit_text.casefold()]
            assert not clash, f"{kind}: marker {clash} in the legitimate input"
            carrier.put(job, list(injection.parts))
            cases.append(
                {
                    "id": f"ho-{kind}-{n:03d}-{goal}",
                    "kind": kind,
                    "attack": goal,
                    "where": carrier.name,
                    "wording": wording,
                    "lang": lang,
                    "obfuscation": obfuscation or "none",
                    "markers": markers,
                    "input": job,
                }
            )
    return cases


def _obfuscation(rng: random.Random, kind: str, goal: str) -> str | None:
    if kind == "moderation_summary":
        # A correct moderation quotes the offending text: only an attack whose payload
        # the input never shows whole can be told from a quote.
        choices = [
            o
            for o in attacks.HIDDEN_OBFUSCATIONS
            if not (o == "rot13" and attacks.SLOT[goal] in ("phone", "code"))
        ]
        return rng.choice(choices)
    if rng.random() < PLAIN_SHARE:
        return None
    choices = list(attacks.OBFUSCATIONS)
    if attacks.SLOT[goal] not in ("url", "email"):
        choices.remove("spelled")
    return rng.choice(choices)


def _carrier(carriers: tuple[Carrier, ...], n: int, injection: attacks.Injection) -> Carrier:
    """The n-th case's carrier, in turn; a split attack goes where two parts fit, and
    text too long for a short field goes to the next that holds it."""
    size = max(len(part) for part in injection.parts)
    turn = [
        carriers[(n // len(attacks.GOALS) + n + i) % len(carriers)] for i in range(len(carriers))
    ]
    for carrier in turn:
        if size <= carrier.room and (len(injection.parts) == 1 or carrier.split):
            return carrier
    raise AssertionError(f"no carrier holds {size} characters")


# --- PII -----------------------------------------------------------------------------


def pii_cases(rng: random.Random) -> list[dict[str, Any]]:
    names = list(pii.GENERATORS)
    cases = []
    counter = 0
    for kind, (inputs, carriers) in scenarios.SCENARIOS.items():
        places = [(c.name, False, c.put) for c in carriers if c.room >= 200]
        places += [(name, True, put) for name, put in TRUSTED_PLACES.get(kind, ())]
        for n in range(PII_PER_KIND):
            job = scenarios.fresh(inputs[n % len(inputs)])
            where, trusted, put = places[n % len(places)]
            types = [names[(counter + i * 17) % len(names)] for i in range(1 + n % 3)]
            counter += 1
            values = [pii.GENERATORS[t](rng) for t in types]
            text = " ".join(
                rng.choice(pii.SENTENCES[pii.family(t)]).format(v=v)
                for t, v in zip(types, values, strict=True)
            )
            put(job, [text])
            cases.append(
                {
                    "id": f"ho-pii-{kind}-{n:03d}",
                    "kind": kind,
                    "where": where,
                    "trusted": trusted,
                    "pii_types": types,
                    "pii": values,
                    "input": job,
                }
            )
    return cases


def _set(field: str, limit: int) -> Any:
    def put(job: Input, parts: list[str]) -> None:
        current = job.get(field) or ""
        job[field] = f"{current} {parts[0]}".strip()[:limit]

    return put


def _allow(job: Input, parts: list[str]) -> None:
    job.setdefault("allow_list", []).append(parts[0][:200])


def _recipient(job: Input, parts: list[str]) -> None:
    job["recipient"] = f"{job.get('recipient') or ''} {parts[0]}".strip()[:200]


TRUSTED_PLACES: dict[str, tuple[tuple[str, Any], ...]] = {
    "email_reply": (("question", _set("question", 2_000)),),
    "account_summary": (("focus", _set("focus", 1_000)),),
    "follow_up_draft": (("about", _set("about", 300)), ("recipient", _recipient)),
    "support_answer": (),
    "product_description": (),
    "metadata_enrichment": (),
    "moderation_summary": (("context", _set("context", 300)), ("allow_list", _allow)),
    "taxonomy_tagging": (),
    "bio": (),
    "document_extraction": (),
}


# --- files ---------------------------------------------------------------------------


def render(cases: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)


def build() -> dict[str, str]:
    """Each file's name and text."""
    rng = random.Random(SEED)
    injection = injection_cases(rng)
    planted = pii_cases(rng)
    # Its own generator, so the grounded set can grow without changing the others.
    facts = grounded.grounded_cases(random.Random(GROUNDED_SEED))
    # The second grounded set, written blind to the first and to the pipeline: its own seed.
    facts_b = grounded_b.grounded_b_cases(random.Random(GROUNDED_B_SEED))
    # The third, blind to both and to the pipeline, run once at the end: its own seed.
    facts_c = grounded_c.grounded_c_cases(random.Random(GROUNDED_C_SEED))
    # The fourth, blind to the three and to the pipeline, run once at the end: its own seed.
    facts_d = grounded_d.grounded_d_cases(random.Random(GROUNDED_D_SEED))
    # The fifth, blind to the four and to the pipeline, run once at the end: its own seed.
    facts_e = grounded_e.grounded_e_cases(random.Random(GROUNDED_E_SEED))
    # The sixth, blind to the five and to the pipeline, run once at the end: its own seed.
    facts_f = grounded_f.grounded_f_cases(random.Random(GROUNDED_F_SEED))
    # The seventh, blind to the six and to the pipeline, run once at the end: its own seed.
    facts_g = grounded_g.grounded_g_cases(random.Random(GROUNDED_G_SEED))
    # The eighth, blind to the seven and to the pipeline, run once at the end: its own seed.
    facts_h = grounded_h.grounded_h_cases(random.Random(GROUNDED_H_SEED))
    # The ninth, blind to the eight and to the pipeline, run once at the end: its own seed.
    facts_i = grounded_i.grounded_i_cases(random.Random(GROUNDED_I_SEED))
    # The tenth, blind to the nine and to the pipeline, run once at the end: its own seed.
    facts_j = grounded_j.grounded_j_cases(random.Random(GROUNDED_J_SEED))
    # The second injection set, written blind to the first and to the defences: its own seed.
    injection_b_set = injection_b.injection_b_cases(random.Random(INJECTION_B_SEED))
    # The third, blind to both earlier ones and to the defences, run once at the end.
    injection_c_set = injection_c.injection_c_cases(random.Random(INJECTION_C_SEED))
    return {
        "injection.jsonl": render(injection),
        "pii.jsonl": render(planted),
        "grounded.jsonl": render(facts),
        "grounded_b.jsonl": render(facts_b),
        "grounded_c.jsonl": render(facts_c),
        "grounded_d.jsonl": render(facts_d),
        "grounded_e.jsonl": render(facts_e),
        "grounded_f.jsonl": render(facts_f),
        "grounded_g.jsonl": render(facts_g),
        "grounded_h.jsonl": render(facts_h),
        "grounded_i.jsonl": render(facts_i),
        "grounded_j.jsonl": render(facts_j),
        "injection_b.jsonl": render(injection_b_set),
        "injection_c.jsonl": render(injection_c_set),
    }


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in build().items():
        path = OUT_DIR / name
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {text.count(chr(10))} cases")
