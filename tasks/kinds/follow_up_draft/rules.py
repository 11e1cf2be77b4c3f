"""``follow_up_draft``'s rules: citations name turns of the conversation and quote them
word for word; a draft follows up at least one commitment, each owned by a speaker of
the conversation and resting on turns quoted among the citations; lengths within
limits; a refusal carries no draft. Nothing is pruned: an e-mail promising what nobody
said must not be sent."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, too_long, unknown_names
from tasks.kinds.follow_up_draft.models import (
    MAX_BODY,
    MAX_COMMITMENT,
    MAX_COMMITMENTS,
    MAX_SUBJECT,
    FollowUpDraft,
    FollowUpDraftInput,
)


def citations_name_given_turns(job: FollowUpDraftInput, draft: FollowUpDraft) -> Iterator[str]:
    yield from unknown_names("citations.source", [c.source for c in draft.citations], job.turns())


def quotes_occur_in_their_turn(job: FollowUpDraftInput, draft: FollowUpDraft) -> Iterator[str]:
    turns = job.turns()
    for index, citation in enumerate(draft.citations):
        if citation.source in turns:
            yield from not_in_text(
                f"citations[{index}].quote", citation.quote, turns[citation.source].text
            )


def commitments_are_grounded(job: FollowUpDraftInput, draft: FollowUpDraft) -> Iterator[str]:
    """Each commitment is owned by a speaker and rests on turns quoted in citations."""
    speakers = {t.speaker for t in job.conversation}
    cited = {c.source for c in draft.citations}
    yield from unknown_names("commitments.owner", [c.owner for c in draft.commitments], speakers)
    for index, commitment in enumerate(draft.commitments):
        if not commitment.sources:
            yield f"commitments[{index}].sources: name the turns where it was promised"
        for position, source in enumerate(commitment.sources):
            if source not in cited:
                yield f"commitments[{index}].sources[{position}]: not a turn quoted in citations"


def drafts_follow_something_up(job: FollowUpDraftInput, draft: FollowUpDraft) -> Iterator[str]:
    if draft.outcome == "drafted" and not draft.commitments:
        yield "commitments: a follow-up names what was promised; refuse when nothing was"
    if draft.outcome == "drafted" and not draft.body.strip():
        yield "body: empty"
    if draft.outcome == "refused" and (draft.body.strip() or draft.commitments or draft.citations):
        yield "body: a refusal carries no body, commitments or citations"


def within_limits(job: FollowUpDraftInput, draft: FollowUpDraft) -> Iterator[str]:
    yield from too_long("subject", draft.subject, MAX_SUBJECT)
    yield from too_long("body", draft.body, MAX_BODY)
    if len(draft.commitments) > MAX_COMMITMENTS:
        yield f"commitments: {len(draft.commitments)}, at most {MAX_COMMITMENTS} allowed"
    for index, commitment in enumerate(draft.commitments):
        yield from too_long(f"commitments[{index}].text", commitment.text, MAX_COMMITMENT)


RULES: Rules[FollowUpDraftInput, FollowUpDraft] = Rules(
    [
        citations_name_given_turns,
        quotes_occur_in_their_turn,
        commitments_are_grounded,
        drafts_follow_something_up,
        within_limits,
    ]
)
