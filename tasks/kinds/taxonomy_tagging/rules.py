"""``taxonomy_tagging``'s rules: tags only from the input's taxonomy, each once, at most
``max_tags``, confidences between 0 and 1. A tag outside the taxonomy gets one repair
request; what is still outside after it is dropped (``prune``), never returned."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, out_of_range, unknown_names
from tasks.kinds.taxonomy_tagging.models import TaxonomyTaggingInput, TaxonomyTags


def tags_from_the_taxonomy(job: TaxonomyTaggingInput, output: TaxonomyTags) -> Iterator[str]:
    yield from unknown_names("tags.tag", [t.tag for t in output.tags], set(job.taxonomy))


def each_tag_once(job: TaxonomyTaggingInput, output: TaxonomyTags) -> Iterator[str]:
    seen: set[str] = set()
    for index, tag in enumerate(output.tags):
        if tag.tag in seen:
            yield f"tags[{index}]: the same tag twice"
        seen.add(tag.tag)


def at_most_max_tags(job: TaxonomyTaggingInput, output: TaxonomyTags) -> Iterator[str]:
    if len(output.tags) > job.max_tags:
        yield f"tags: {len(output.tags)} tags, at most {job.max_tags} allowed"


def confidences_in_range(job: TaxonomyTaggingInput, output: TaxonomyTags) -> Iterator[str]:
    yield from out_of_range("tags.confidence", [t.confidence for t in output.tags])


def refusals_carry_no_tags(job: TaxonomyTaggingInput, output: TaxonomyTags) -> Iterator[str]:
    if output.outcome == "refused" and output.tags:
        yield "tags: a refusal carries no tags"


def drop_what_breaks(job: TaxonomyTaggingInput, output: TaxonomyTags) -> TaxonomyTags:
    """Tags outside the taxonomy and repeats dropped; the most confident ``max_tags`` kept."""
    allowed, kept = set(job.taxonomy), {}
    for tag in output.tags:
        if tag.tag in allowed and tag.tag not in kept:
            kept[tag.tag] = tag
    best = sorted(kept.values(), key=lambda t: -t.confidence)[: job.max_tags]
    return output.model_copy(update={"tags": [t for t in output.tags if t in best]})


RULES: Rules[TaxonomyTaggingInput, TaxonomyTags] = Rules(
    [
        tags_from_the_taxonomy,
        each_tag_once,
        at_most_max_tags,
        confidences_in_range,
        refusals_carry_no_tags,
    ],
    prune=drop_what_breaks,
)
