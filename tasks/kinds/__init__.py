"""The registry of job kinds (tasks/kinds/README.md: how to add one)."""

from __future__ import annotations

from app.jobs.kinds import Kind, KindRegistry
from tasks.kinds import email_reply, support_answer, taxonomy_tagging

KINDS: KindRegistry = {
    kind.name: kind for kind in [email_reply.KIND, taxonomy_tagging.KIND, support_answer.KIND]
}

__all__ = ["KINDS", "Kind"]
