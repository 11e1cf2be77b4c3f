"""``follow_up_draft``: the follow-up e-mail after a conversation (its turns or notes in
the input), with the commitments it follows up, each owned by a speaker and citing the
turns where it was promised. Small tier (a routine draft); money or contract terms in
the conversation move the job to the large tier. Offline the extractive provider
quotes the sentences in which someone commits to something, or refuses."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.follow_up_draft.handler import PROMPTS, compose_follow_up, draft_follow_up, refuse
from tasks.kinds.follow_up_draft.models import (
    Citation,
    Commitment,
    FollowUpDraft,
    FollowUpDraftInput,
    Turn,
    is_high_risk,
)
from tasks.kinds.follow_up_draft.rules import RULES

KIND = Kind(
    name="follow_up_draft",
    input_model=FollowUpDraftInput,
    output_model=FollowUpDraft,
    handler=draft_follow_up,
    default_deadline=timedelta(minutes=10),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a routine draft
    high_risk=is_high_risk,
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "Citation",
    "Commitment",
    "FollowUpDraft",
    "FollowUpDraftInput",
    "Turn",
    "compose_follow_up",
    "draft_follow_up",
    "refuse",
]
