"""The held-out red-team set: a deterministic generator of injection, PII and grounded cases
(``python -m evals.heldout`` writes ``evals/datasets/heldout/*.jsonl``).

Written apart from the defences it measures (without reading the prompts, guards or
rules), so the engineers who fix those never tune against it. Each case is composed
from independent parts: a legitimate task of a kind (``scenarios``), an attacker goal
and its payload, a wording, a language and an obfuscation (``attacks``), placed in one
of the kind's untrusted fields (the carrier). PII cases (``pii``) plant checksum-valid
values in trusted and untrusted fields alike. Grounded cases (``grounded``) state the
facts an answer must and must not give. Not in the default dataset list or the CI
gate: ``courier eval --dataset heldout/injection`` runs it.
"""
