"""``document_extraction``'s rules: only the type's fields, each once and every one
answered; a value comes with the span it came from, found word for word in the
document; confidences between 0 and 1. A span not in the document gets one repair
request; a field whose span is still not there is emptied (``prune``), never kept."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, out_of_range, too_long, unknown_names
from tasks.kinds.document_extraction.models import (
    MAX_QUOTE,
    MAX_VALUE,
    DocumentExtractionInput,
    DocumentFields,
    FieldAnswer,
    empty,
)


def fields_of_the_type(job: DocumentExtractionInput, output: DocumentFields) -> Iterator[str]:
    names = [f.field for f in output.fields]
    yield from unknown_names("fields.field", names, set(job.field_names()))


def each_field_once(job: DocumentExtractionInput, output: DocumentFields) -> Iterator[str]:
    seen: set[str] = set()
    for index, answer in enumerate(output.fields):
        if answer.field in seen:
            yield f"fields[{index}]: the same field twice"
        seen.add(answer.field)


def every_field_answered(job: DocumentExtractionInput, output: DocumentFields) -> Iterator[str]:
    if output.outcome == "extracted":
        given = {f.field for f in output.fields}
        for index, name in enumerate(job.field_names()):
            if name not in given:
                yield (
                    f"fields: the type's field at position {index} is missing; "
                    "give it with value null when the document does not state it"
                )


def spans_occur_in_the_document(
    job: DocumentExtractionInput, output: DocumentFields
) -> Iterator[str]:
    for index, answer in enumerate(output.fields):
        yield from _span_problems(f"fields[{index}]", answer, job.text)


def empty_fields_quote_nothing(
    job: DocumentExtractionInput, output: DocumentFields
) -> Iterator[str]:
    for index, answer in enumerate(output.fields):
        if answer.value is None and answer.quote is not None:
            yield f"fields[{index}].quote: an empty field quotes nothing"


def confidences_in_range(job: DocumentExtractionInput, output: DocumentFields) -> Iterator[str]:
    yield from out_of_range("fields.confidence", [f.confidence for f in output.fields])


def refusals_carry_no_fields(job: DocumentExtractionInput, output: DocumentFields) -> Iterator[str]:
    if output.outcome == "refused" and output.fields:
        yield "fields: a refusal carries no fields"


def _span_problems(at: str, answer: FieldAnswer, document: str) -> Iterator[str]:
    if answer.value is None:
        return
    yield from too_long(f"{at}.value", answer.value, MAX_VALUE)
    if answer.quote is None or not answer.quote.strip():
        yield f"{at}.quote: a value quotes the span it came from; leave the value null otherwise"
        return
    yield from too_long(f"{at}.quote", answer.quote, MAX_QUOTE)
    yield from not_in_text(f"{at}.quote", answer.quote, document)


def empty_what_is_not_found(job: DocumentExtractionInput, output: DocumentFields) -> DocumentFields:
    """Every field of the type, once, in the type's order: a field whose span is not in
    the document emptied, fields outside the type dropped."""
    if output.outcome == "refused":
        return output
    answered: dict[str, FieldAnswer] = {}
    for answer in output.fields:
        if answer.field not in job.field_names() or answer.field in answered:
            continue
        if answer.value is None:
            answered[answer.field] = answer.model_copy(update={"quote": None})
        elif any(_span_problems("", answer, job.text)):
            answered[answer.field] = empty(answer.field)
        else:
            answered[answer.field] = answer
    fields = [answered.get(name) or empty(name) for name in job.field_names()]
    return output.model_copy(update={"fields": fields})


RULES: Rules[DocumentExtractionInput, DocumentFields] = Rules(
    [
        fields_of_the_type,
        each_field_once,
        every_field_answered,
        spans_occur_in_the_document,
        empty_fields_quote_nothing,
        confidences_in_range,
        refusals_carry_no_fields,
    ],
    prune=empty_what_is_not_found,
)
