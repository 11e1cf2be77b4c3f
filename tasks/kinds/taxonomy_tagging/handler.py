"""``taxonomy_tagging``'s handler and its offline answer: the taxonomy's tags whose
words the text contains (the extractive provider's deterministic match)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import content_words
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.prompts.templates import KindPrompts
from tasks.kinds.taxonomy_tagging.models import Tag, TaxonomyTaggingInput, TaxonomyTags
from tasks.kinds.taxonomy_tagging.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "taxonomy_tagging")
MIN_MATCH = 0.5
"""Offline, a tag is given when at least this share of its words occur in the text."""


async def tag_content(job: TaxonomyTaggingInput, provider: Provider) -> KindResult:
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "tag", text=job.text, title=job.title, taxonomy=job.taxonomy, max_tags=job.max_tags
        ),
        prompt_version=PROMPTS.current,
        question=" ".join(job.taxonomy),
        sources=[Source(id="text", text=job.text)],
        output_model=TaxonomyTags,
        rules=RULES.bind(job),
        compose_extractive=partial(match_tags, job),
        compose_refusal=partial(refuse, job),
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def match_tags(job: TaxonomyTaggingInput, extracts: Sequence[Extract]) -> TaxonomyTags:
    """The offline tags: each tag scored by the share of its words the text contains
    (the whole text, not only the extracts), the best ``max_tags`` of those at
    ``MIN_MATCH`` or more."""
    words = content_words(f"{job.title or ''} {job.text}")
    scored = []
    for name in job.taxonomy:
        wanted = content_words(name.replace("-", " ").replace("_", " "))
        if wanted:
            score = len(wanted & words) / len(wanted)
            if score >= MIN_MATCH:
                scored.append(Tag(tag=name, confidence=round(score * 0.8, 2)))
    best = sorted(scored, key=lambda t: -t.confidence)[: job.max_tags]
    if not best:
        return refuse(job, "no tag of the taxonomy matches the text")
    return TaxonomyTags(tags=best, outcome="tagged")


def refuse(job: TaxonomyTaggingInput, reason: str) -> TaxonomyTags:
    return TaxonomyTags(tags=[], outcome="refused", refusal_reason=reason)
