"""``document_extraction``'s handler and its offline answer (patterns.py): the fields
a pattern finds where the document states them, each with its span; every other
field left empty. The spans' character offsets are located in the document after the
answer, by Courier, not asked of the model (models count characters badly)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import struck_out
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.prompts.data import PromptText
from app.prompts.templates import KindPrompts
from tasks.kinds.document_extraction.models import (
    DocumentExtractionInput,
    DocumentFields,
    ExtractedDocument,
    ExtractedField,
    FieldAnswer,
    empty,
)
from tasks.kinds.document_extraction.patterns import find
from tasks.kinds.document_extraction.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "document_extraction")
NOTHING_FOUND = "the document states none of its type's fields"


async def extract_document(job: DocumentExtractionInput, provider: Provider) -> KindResult:
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "extract",
            # Courier's own word: the type is one of three, checked at intake.
            document_type=PromptText(job.document_type),
            fields=list(job.field_names()),
            text=job.text,
        ),
        prompt_version=PROMPTS.current,
        question=" ".join(job.field_names()),
        sources=[Source(id="document", text=job.text)],
        output_model=DocumentFields,
        rules=RULES.bind(job),
        compose_extractive=partial(compose_fields, job),
        compose_refusal=refuse,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=located(job, generation.output),
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def compose_fields(job: DocumentExtractionInput, extracts: Sequence[Extract]) -> DocumentFields:
    """The offline answer: each field as a pattern finds it in the whole document, or
    empty; a refusal when none is found."""
    answers = []
    for name in job.field_names():
        found = find(name, job.text)
        if found is None:
            answers.append(empty(name))
            continue
        # "Monthly rental: ~~€73.75~~ €58.60": the struck-through price is not the value.
        value = struck_out(found.value)
        quote = found.quote if value == found.value else value
        answers.append(
            FieldAnswer(field=name, value=value, confidence=found.confidence, quote=quote)
        )
    if all(a.value is None for a in answers):
        return refuse(NOTHING_FOUND)
    return DocumentFields(fields=answers, outcome="extracted")


def refuse(reason: str) -> DocumentFields:
    return DocumentFields(fields=[], outcome="refused", refusal_reason=reason)


def located(job: DocumentExtractionInput, output: DocumentFields) -> ExtractedDocument:
    """The answer with each quote's span in the document: ``text[start:end]`` is the
    quote, as the document spells it (the rules matched it ignoring case and spacing)."""
    fields = []
    for answer in output.fields:
        span = _span(answer.quote, job.text) if answer.quote else None
        quote = job.text[span[0] : span[1]] if span else answer.quote
        fields.append(
            ExtractedField(
                **answer.model_dump(exclude={"quote"}),
                quote=quote,
                start=span[0] if span else None,
                end=span[1] if span else None,
            )
        )
    return ExtractedDocument(
        document_type=job.document_type,
        fields=fields,
        outcome=output.outcome,
        refusal_reason=output.refusal_reason,
    )


def _span(quote: str, text: str) -> tuple[int, int] | None:
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), text, re.IGNORECASE)
    return match.span() if match else None
