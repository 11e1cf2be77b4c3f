"""The registry of job kinds: the one place a kind is made known to API and worker
(the CLI, app/commands.py, passes it to both)."""

from __future__ import annotations

from app.jobs.kinds import Kind, KindRegistry
from tasks.kinds import email_reply

KINDS: KindRegistry = {kind.name: kind for kind in [email_reply.KIND]}

__all__ = ["KINDS", "Kind"]
