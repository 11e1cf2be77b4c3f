"""``taxonomy_tagging``: tag a text with tags chosen only from the taxonomy given in
its input, each with a confidence. Small tier: a classification. Offline (and as the
last fallback) the extractive provider matches the tags' words in the text, with
confidences at most 0.8: a word match is never certainty."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.taxonomy_tagging.handler import PROMPTS, match_tags, refuse, tag_content
from tasks.kinds.taxonomy_tagging.models import Tag, TaxonomyTaggingInput, TaxonomyTags
from tasks.kinds.taxonomy_tagging.rules import RULES

KIND = Kind(
    name="taxonomy_tagging",
    input_model=TaxonomyTaggingInput,
    output_model=TaxonomyTags,
    handler=tag_content,
    default_deadline=timedelta(minutes=5),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a classification
    review=False,  # nobody reviews tags: what the guards stop is refused
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "Tag",
    "TaxonomyTaggingInput",
    "TaxonomyTags",
    "match_tags",
    "refuse",
    "tag_content",
]
