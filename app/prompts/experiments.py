"""Prompt experiments: which prompt version a tenant's job of a kind runs with.

By default a job runs its kind's current (newest) version. An operator can pin a
tenant's kind to one version (``courier prompts pin``), or split its jobs between
two versions (``courier prompts split``): a job draws ``split_version`` when a hash
of its id falls in the first ``split_percent`` of 100 buckets, so the same job
always draws the same version, on every attempt and every worker, and the job
records the version it ran (``jobs.prompt_version``). The ``prompt_versions`` view
(sql/views.sql) compares the versions side by side.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.db import Database
from app.errors import InvalidRequestError, NotFoundError
from app.jobs.kinds import Kind, KindRegistry

log = logging.getLogger("courier.prompts")


class UnknownKind(NotFoundError):
    """No such job kind."""


class UnknownTenant(NotFoundError):
    """No tenant has this slug."""


class InvalidSplit(InvalidRequestError):
    """A split needs two different versions and a share between 1 and 99 percent."""


@dataclass(frozen=True)
class PromptPolicy:
    """A tenant's choice for a kind: a pin (``split_version`` None) or a split."""

    tenant_id: UUID
    kind: str
    version: str
    split_version: str | None = None
    split_percent: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PromptPolicy:
        return cls(
            tenant_id=row["tenant_id"],
            kind=row["kind"],
            version=row["version"],
            split_version=row["split_version"],
            split_percent=row["split_percent"],
        )

    def version_for(self, job_id: UUID) -> str:
        if self.split_version is None or self.split_percent is None:
            return self.version
        return self.split_version if bucket(job_id) < self.split_percent else self.version


def bucket(job_id: UUID) -> int:
    """The job's bucket, 0 to 99: the same for the same id, evenly spread over ids."""
    digest = hashlib.sha256(b"courier-prompt-split:" + job_id.bytes).digest()
    return int.from_bytes(digest[:8], "big") % 100


class PromptPolicies:
    def __init__(self, db: Database, kinds: KindRegistry) -> None:
        self.db = db
        self.kinds = kinds

    async def version_for(self, tenant_id: UUID, kind: Kind, job_id: UUID) -> str:
        """The prompt version this job runs with ("" for a kind without prompts)."""
        if kind.prompts is None:
            return kind.prompt_version or ""
        row = await self.db.fetch_optional("prompt_policy_get", tenant_id=tenant_id, kind=kind.name)
        return chosen_version(kind, tenant_id, job_id, row)

    async def list(self, tenant_id: UUID) -> dict[str, PromptPolicy]:
        rows = await self.db.fetch_all("prompt_policy_list", tenant_id=tenant_id)
        return {row["kind"]: PromptPolicy.from_row(row) for row in rows}

    async def pin(self, tenant_slug: str, kind: str, version: str) -> PromptPolicy:
        """Pin the tenant's jobs of ``kind`` to ``version`` (an operator's action)."""
        return await self._set(tenant_slug, kind, self._version(kind, version), None, None)

    async def split(
        self, tenant_slug: str, kind: str, version: str, split_version: str, split_percent: int
    ) -> PromptPolicy:
        """Run ``split_percent`` percent of the tenant's jobs of ``kind`` with
        ``split_version`` and the rest with ``version``."""
        first, second = self._version(kind, version), self._version(kind, split_version)
        if first == second or not 1 <= split_percent <= 99:
            raise InvalidSplit()
        return await self._set(tenant_slug, kind, first, second, split_percent)

    async def unpin(self, tenant_slug: str, kind: str) -> PromptPolicy | None:
        """Back to the kind's current version; the removed policy, if there was one."""
        self._kind(kind)
        row = await self.db.fetch_optional("prompt_policy_clear", slug=tenant_slug, kind=kind)
        return PromptPolicy.from_row(row) if row else None

    async def _set(
        self, slug: str, kind: str, version: str, split_version: str | None, percent: int | None
    ) -> PromptPolicy:
        row = await self.db.fetch_optional(
            "prompt_policy_set",
            slug=slug,
            kind=kind,
            version=version,
            split_version=split_version,
            split_percent=percent,
        )
        if row is None:
            raise UnknownTenant(f"no tenant has the slug {slug!r}")
        return PromptPolicy.from_row(row)

    def _kind(self, name: str) -> Kind:
        kind = self.kinds.get(name)
        if kind is None or kind.prompts is None:
            known = sorted(k.name for k in self.kinds.values() if k.prompts is not None)
            raise UnknownKind(f"no kind {name!r} with prompt templates; known: {', '.join(known)}")
        return kind

    def _version(self, kind: str, version: str) -> str:
        prompts = self._kind(kind).prompts
        assert prompts is not None
        return prompts.version(version)


def chosen_version(
    kind: Kind, tenant_id: UUID, job_id: UUID, policy: Mapping[str, Any] | None
) -> str:
    """The prompt version a job of ``kind`` runs with under its tenant's policy for the
    kind (``policy``: its version, split_version and split_percent; None: no policy,
    the kind's current version). A worker's lease reads the policy with the job
    (job_lease_take), so no read of its own."""
    current = kind.prompt_version or ""
    if kind.prompts is None or policy is None:
        return current
    chosen = PromptPolicy(
        tenant_id=tenant_id,
        kind=kind.name,
        version=policy["version"],
        split_version=policy["split_version"],
        split_percent=policy["split_percent"],
    ).version_for(job_id)
    if chosen not in kind.prompts.versions:
        # A pin naming a version this deploy no longer ships: run the current one.
        log.warning(
            "pinned prompt version not shipped: running the current one",
            extra={
                "event": "prompt_version_missing",
                "tenant_id": str(tenant_id),
                "kind": kind.name,
                "version": chosen,
                "current": current,
            },
        )
        return current
    return chosen
