"""``metadata_enrichment``'s rules: only the fields asked for, each once and every one
answered; a value is tied to a source (a given source id, a quote copied word for word
from it, and a value the quote states); confidences between 0 and 1. A value that is
not tied gets one repair request; what is still not tied after it is removed (the
field left empty), never guessed (``prune``), and the job still succeeds."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.llm.extractive import content_words
from app.llm.rules import Rules, not_in_text, out_of_range, too_long, unknown_names
from tasks.kinds.metadata_enrichment.models import (
    MAX_QUOTE,
    MAX_VALUE,
    EnrichedMetadata,
    FieldValue,
    MetadataEnrichmentInput,
    empty,
)


def fields_asked_for(job: MetadataEnrichmentInput, output: EnrichedMetadata) -> Iterator[str]:
    yield from unknown_names("fields.field", [f.field for f in output.fields], set(job.fields))


def each_field_once(job: MetadataEnrichmentInput, output: EnrichedMetadata) -> Iterator[str]:
    seen: set[str] = set()
    for index, value in enumerate(output.fields):
        if value.field in seen:
            yield f"fields[{index}]: the same field twice"
        seen.add(value.field)


def every_field_answered(job: MetadataEnrichmentInput, output: EnrichedMetadata) -> Iterator[str]:
    if output.outcome == "enriched":
        given = {f.field for f in output.fields}
        for index, name in enumerate(job.fields):
            if name not in given:
                yield (
                    f"fields: the field asked for at position {index} is missing; "
                    "give it with value null when no source states it"
                )


def values_tied_to_a_source(
    job: MetadataEnrichmentInput, output: EnrichedMetadata
) -> Iterator[str]:
    sources = job.sources()
    for index, value in enumerate(output.fields):
        yield from _tie_problems(f"fields[{index}]", value, sources)


def empty_fields_cite_nothing(
    job: MetadataEnrichmentInput, output: EnrichedMetadata
) -> Iterator[str]:
    for index, value in enumerate(output.fields):
        if value.value is None and (value.source is not None or value.quote is not None):
            yield f"fields[{index}]: an empty field has no source and no quote"


def confidences_in_range(job: MetadataEnrichmentInput, output: EnrichedMetadata) -> Iterator[str]:
    yield from out_of_range("fields.confidence", [f.confidence for f in output.fields])


def refusals_carry_no_fields(
    job: MetadataEnrichmentInput, output: EnrichedMetadata
) -> Iterator[str]:
    if output.outcome == "refused" and output.fields:
        yield "fields: a refusal carries no fields"


def agrees(value: str, quote: str) -> bool:
    """The quote states the value: the value occurs in it as whole words (whitespace-
    and case-insensitive: "men" is not in "women's"), or every word of the value does
    ("merino wool" in "wool (merino)")."""
    spaced = r"\s+".join(re.escape(word) for word in value.split())
    if spaced and re.search(rf"(?<!\w){spaced}(?!\w)", quote, re.IGNORECASE):
        return True
    words = content_words(value)
    return bool(words) and words <= content_words(quote)


def _tie_problems(at: str, value: FieldValue, sources: dict[str, str]) -> Iterator[str]:
    if value.value is None:
        return
    yield from too_long(f"{at}.value", value.value, MAX_VALUE)
    if value.source is None or value.quote is None:
        yield f"{at}: a value names its source and quotes it; leave the value null otherwise"
        return
    if value.source not in sources:
        yield f"{at}.source: not one of the given sources ({', '.join(sources)})"
        return
    yield from too_long(f"{at}.quote", value.quote, MAX_QUOTE)
    yield from not_in_text(f"{at}.quote", value.quote, sources[value.source])
    if not agrees(value.value, value.quote):
        yield f"{at}.value: not stated by its quote; give the value as the quote says it"


def drop_what_is_not_tied(
    job: MetadataEnrichmentInput, output: EnrichedMetadata
) -> EnrichedMetadata:
    """Every field asked for, once, in the order asked: a value not tied to a source
    removed (the field left empty), fields not asked for dropped."""
    if output.outcome == "refused":
        return output
    sources: dict[str, str] = job.sources()
    answered: dict[str, FieldValue] = {}
    for value in output.fields:
        if value.field not in job.fields or value.field in answered:
            continue
        if value.value is None:
            answered[value.field] = value.model_copy(update={"source": None, "quote": None})
        elif any(_tie_problems("", value, sources)):
            answered[value.field] = empty(value.field)
        else:
            answered[value.field] = value
    fields = [answered.get(name) or empty(name) for name in job.fields]
    return output.model_copy(update={"fields": fields})


RULES: Rules[MetadataEnrichmentInput, EnrichedMetadata] = Rules(
    [
        fields_asked_for,
        each_field_once,
        every_field_answered,
        values_tied_to_a_source,
        empty_fields_cite_nothing,
        confidences_in_range,
        refusals_carry_no_fields,
    ],
    prune=drop_what_is_not_tied,
)
