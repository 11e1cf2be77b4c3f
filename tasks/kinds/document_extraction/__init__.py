"""``document_extraction``: the fields of a document type — an invoice's number, dates,
total, currency and vendor; a contract's parties, effective date, term and governing
law; a form's given field names — each with a value, a confidence and the span it
came from (the quoted text and its character offsets in the document). Small tier: an
extraction. Offline (and as the last fallback) the extractive provider extracts what
standard patterns find (patterns.py) and leaves every other field empty, never
invented. No risk signal on the input; a low confidence is for review to weigh."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.document_extraction.handler import (
    NOTHING_FOUND,
    PROMPTS,
    compose_fields,
    extract_document,
    located,
    refuse,
)
from tasks.kinds.document_extraction.models import (
    SCHEMAS,
    DocumentExtractionInput,
    DocumentFields,
    ExtractedDocument,
    ExtractedField,
    FieldAnswer,
)
from tasks.kinds.document_extraction.rules import RULES

KIND = Kind(
    name="document_extraction",
    input_model=DocumentExtractionInput,
    output_model=ExtractedDocument,
    handler=extract_document,
    default_deadline=timedelta(minutes=5),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # an extraction
)

__all__ = [
    "KIND",
    "NOTHING_FOUND",
    "PROMPTS",
    "RULES",
    "SCHEMAS",
    "DocumentExtractionInput",
    "DocumentFields",
    "ExtractedDocument",
    "ExtractedField",
    "FieldAnswer",
    "compose_fields",
    "extract_document",
    "located",
    "refuse",
]
