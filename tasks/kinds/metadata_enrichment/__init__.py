"""``metadata_enrichment``: the product metadata fields asked for (material, colour,
audience, …), each with a value, a confidence and the source it came from (a source
id and the quoted passage). A value the rules cannot tie to a source gets one repair
request; what still cannot be tied is removed (the field left empty), never guessed,
and the job still succeeds. Small tier: an extraction. Offline (and as the last
fallback) the extractive provider takes labelled values and words of a fixed
vocabulary from the content, at confidences of at most 0.8. No risk signal: the
values are tied to the caller's own content, and an empty field is the safe answer."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.metadata_enrichment.handler import (
    NOTHING_STATED,
    PROMPTS,
    compose_fields,
    enrich_metadata,
    refuse,
)
from tasks.kinds.metadata_enrichment.models import (
    EnrichedMetadata,
    FieldValue,
    MetadataEnrichmentInput,
    ReferenceText,
)
from tasks.kinds.metadata_enrichment.rules import RULES

KIND = Kind(
    name="metadata_enrichment",
    input_model=MetadataEnrichmentInput,
    output_model=EnrichedMetadata,
    handler=enrich_metadata,
    default_deadline=timedelta(minutes=5),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # an extraction
)

__all__ = [
    "KIND",
    "NOTHING_STATED",
    "PROMPTS",
    "RULES",
    "EnrichedMetadata",
    "FieldValue",
    "MetadataEnrichmentInput",
    "ReferenceText",
    "compose_fields",
    "enrich_metadata",
    "refuse",
]
