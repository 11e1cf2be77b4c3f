"""The exact-match cache key of a model call.

Two calls share an answer only if everything the answer depends on is equal: the
tenant, the kind, the step of the job (two steps of a kind ask different
questions of the same input), the normalised input, the prompt version, the
model, the requester's ACL groups (a set: order and repeats do not matter) and
the sources the prompt used, as (id, version) pairs in the order the prompt gives
them (:func:`source_version` names a source's content). The key is the SHA-256 of
a canonical JSON of all of it, so it reveals none of it.
The cache table is keyed by (tenant, key) as well: a key can never reach another
tenant's entries, even if two tenants' documents hashed alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

KEY_VERSION = 2
"""Bumped when the canonical form changes, so old entries are simply never hit
(2: the step joined the key)."""


def cache_key(
    *,
    tenant_id: UUID,
    kind: str,
    step: str,
    input: Mapping[str, Any],
    prompt_version: str,
    model: str,
    acl_groups: Sequence[str],
    sources: Sequence[tuple[str, str]],
) -> str:
    """SHA-256 hex of the canonical JSON of the call's identity. ``input`` must be
    JSON data (the kind's model dumped with ``mode="json"``); anything else is a
    TypeError rather than a guess at its text form."""
    document = {
        "v": KEY_VERSION,
        "tenant_id": str(tenant_id),
        "kind": kind,
        "step": step,
        "input": input,
        "prompt_version": prompt_version,
        "model": model,
        "acl_groups": sorted(set(acl_groups)),
        "sources": [[source_id, version] for source_id, version in sources],
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def source_version(text: str) -> str:
    """A source's version for the key: the SHA-256 hex of its content, so an edited
    source (a new thread message, a changed document) never meets an old answer."""
    return hashlib.sha256(text.encode()).hexdigest()
