"""``email_reply``: draft a reply to an e-mail thread, citing the messages it uses.

Thread messages are cited by position: ``m0`` is the first message. Drafted by the
small model's tier (app/llm/routing.py), falling back to the extractive provider,
which also answers alone when no model provider is configured.
"""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.email_reply.handler import PROMPTS, compose_draft, draft_email_reply, refuse
from tasks.kinds.email_reply.models import (
    Citation,
    EmailReplyDraft,
    EmailReplyInput,
    ThreadMessage,
)
from tasks.kinds.email_reply.rules import RULES

KIND = Kind(
    name="email_reply",
    input_model=EmailReplyInput,
    output_model=EmailReplyDraft,
    handler=draft_email_reply,
    default_deadline=timedelta(minutes=15),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a routine draft
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "Citation",
    "EmailReplyDraft",
    "EmailReplyInput",
    "ThreadMessage",
    "compose_draft",
    "draft_email_reply",
    "refuse",
]
