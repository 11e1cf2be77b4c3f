"""``moderation_summary``'s handler: the rule stage first (screening.py), which
decides the clear cases with no model call at all; then the model. Its offline
answer is a fixed lexicon's: the labels whose unambiguous terms the content holds,
quoted in their sentences, or ``none`` — and the rationale says no model judged it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import sentences
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.prompts.templates import KindPrompts
from tasks.kinds.moderation_summary.models import (
    MAX_QUOTE,
    POLICY,
    ModerationJudgement,
    ModerationSummary,
    ModerationSummaryInput,
    Passage,
    Severity,
    Violation,
    most_severe,
)
from tasks.kinds.moderation_summary.rules import RULES
from tasks.kinds.moderation_summary.screening import screen

PROMPTS = KindPrompts.beside(__file__, "moderation_summary")
RULE_STAGE = "rules"
"""The ``model`` of a job the rule stage decided: no model made it."""

_LEXICON: dict[Violation, tuple[Severity, str]] = {
    "self_harm": (
        "high",
        r"kill(?:ing)? myself|end(?:ing)? my life|suicid(?:e|al)|self[- ]harm|"
        r"cut(?:ting)? myself|hurt(?:ing)? myself|want to die",
    ),
    "violence": (
        "high",
        r"(?:kill|shoot|stab|hurt) you|beat you up|i will kill|burn (?:down )?your house|"
        r"bomb (?:the|your)|murder you",
    ),
    "hate": (
        "high",
        r"subhuman|vermin|inferior race|go back to your (?:own )?country|"
        r"should (?:all )?be exterminated",
    ),
    "sexual": ("medium", r"nudes?|porn(?:ographic)?|explicit photos|onlyfans|xxx"),
    "harassment": (
        "medium",
        r"idiot|moron|stupid|loser|shut up|pathetic|worthless|nobody likes you|clown",
    ),
}
"""Offline, a label is given when the content holds one of its terms: unambiguous
words only, so a miss is likelier than a false alarm; a model judges far better."""
_LEXICON_PATTERNS = {
    label: (severity, re.compile(rf"(?<!\w)(?:{terms})(?!\w)", re.IGNORECASE))
    for label, (severity, terms) in _LEXICON.items()
}
_HIGH_RISK = ("self_harm", "violence", "hate")


async def summarise_moderation(job: ModerationSummaryInput, provider: Provider) -> KindResult:
    decided = screen(job)
    if decided is not None:
        # A clear case: no model call, nothing paid, no prompt rendered.
        return KindResult(output=decided, model=RULE_STAGE, prompt_version="")
    request = GenerationRequest(
        prompt=PROMPTS.call("moderate", content=job.content, context=job.context),
        prompt_version=PROMPTS.current,
        question=job.content,
        sources=[Source(id="content", text=job.content)],
        output_model=ModerationJudgement,
        rules=RULES.bind(job),
        compose_extractive=partial(compose_judgement, job),
        compose_refusal=refuse,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=ModerationSummary(**generation.output.model_dump(), decided_by="model"),
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def compose_judgement(
    job: ModerationSummaryInput, extracts: Sequence[Extract]
) -> ModerationJudgement:
    """The offline judgement: the lexicon's labels, each sentence holding a term quoted."""
    passages, severities = [], []
    for label, severity, sentence in _lexicon_hits(job.content):
        passage = Passage(label=label, quote=sentence)
        if passage not in passages:
            passages.append(passage)
            severities.append(severity)
    if not passages:
        return ModerationJudgement(
            labels=["none"],
            severity="none",
            rationale="No term of the offline lexicon occurs; no model judged this content.",
            passages=[],
            outcome="moderated",
        )
    labels = sorted({p.label for p in passages}, key=POLICY.index)
    return ModerationJudgement(
        labels=labels,
        severity=most_severe(severities),
        rationale=f"Terms of the offline lexicon for {', '.join(labels)} occur in the quoted "
        "passages; no model judged this content.",
        passages=passages,
        outcome="moderated",
    )


def refuse(reason: str) -> ModerationJudgement:
    return ModerationJudgement(
        labels=[],
        severity="none",
        rationale="",
        passages=[],
        outcome="refused",
        refusal_reason=reason,
    )


def looks_high_risk(job: ModerationSummaryInput) -> bool:
    """The risk signal on the input: a term of a high-severity label (self-harm,
    violence, hate) occurs, so a model of the large tier judges it."""
    return any(label in _HIGH_RISK for label, _, _ in _lexicon_hits(job.content))


def _lexicon_hits(content: str) -> Iterator[tuple[Violation, Severity, str]]:
    for sentence in sentences(content):
        for label, (severity, pattern) in _LEXICON_PATTERNS.items():
            match = pattern.search(sentence)
            if match:
                yield label, severity, sentence if len(sentence) <= MAX_QUOTE else match[0]
