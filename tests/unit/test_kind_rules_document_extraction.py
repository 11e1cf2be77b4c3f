"""``document_extraction``: each rule refuses a bad answer; a field whose span is not in
the document is emptied, never kept; the offline answer extracts what standard
patterns find, with offsets that point at its quote, and leaves the rest empty."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import document_extraction
from tasks.kinds.document_extraction import (
    NOTHING_FOUND,
    RULES,
    DocumentExtractionInput,
    DocumentFields,
    FieldAnswer,
    located,
)
from tests.support.content_kind_inputs import INVOICE, INVOICE_TEXT

CONTRACT = DocumentExtractionInput(
    document_type="contract",
    text=(
        "This Services Agreement is entered into on 1 March 2026 between Northwind Traders "
        'GmbH, a company registered in Germany ("Client"), and Blue Harbor Consulting LLC '
        '("Consultant").\nThe Agreement is effective as of March 1, 2026 and continues for '
        "an initial term of twelve (12) months.\nThis Agreement shall be governed by and "
        "construed in accordance with the laws of the State of New York, without regard to "
        "conflict of laws."
    ),
)
FORM = DocumentExtractionInput(
    document_type="form",
    text="Full name: Jane Doe\nDate of birth: 02/05/1990\nEmail: jane@example.com\nSignature:",
    fields=["full_name", "date_of_birth", "email", "phone"],
)


def _answer(*answers: FieldAnswer, **update) -> DocumentFields:
    good = [
        FieldAnswer(
            field="invoice_number",
            value="INV-2026-0042",
            confidence=0.9,
            quote="Invoice no.: INV-2026-0042",
        ),
        FieldAnswer(field="issue_date", value="2026-03-14", confidence=0.8, quote="14 March 2026"),
        FieldAnswer(field="due_date", value=None, confidence=0.0, quote=None),
        FieldAnswer(field="total", value="720.00", confidence=0.9, quote="Total due: EUR 720.00"),
        FieldAnswer(field="currency", value="EUR", confidence=0.9, quote="EUR 720.00"),
        FieldAnswer(field="vendor", value="ACME Office Supplies Ltd", confidence=0.8, quote="ACME"),
    ]
    return DocumentFields(fields=list(answers) or good, outcome="extracted").model_copy(
        update=update
    )


def _replaced(index: int, **update) -> DocumentFields:
    fields = list(_answer().fields)
    fields[index] = fields[index].model_copy(update=update)
    return _answer(*fields)


def test_rules__an_answer_quoting_the_document_keeps_them_all():
    assert RULES.problems(INVOICE, _answer()) == []


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (_replaced(2, field="governing_law"), "fields.field[2]: not one of the allowed values"),
        (_replaced(2, field="total"), "fields[3]: the same field twice"),
        (_answer(*_answer().fields[:5]), "the type's field at position 5 is missing"),
        (_replaced(3, quote="Total due: EUR 702.00"), "fields[3].quote: not found word for word"),
        (_replaced(0, quote=None), "fields[0].quote: a value quotes the span it came from"),
        (_replaced(0, quote="  "), "fields[0].quote: a value quotes the span it came from"),
        (_replaced(2, quote="Due date"), "fields[2].quote: an empty field quotes nothing"),
        (_replaced(1, confidence=-0.1), "fields.confidence[1]: must be between 0.0 and 1.0"),
        (_replaced(5, value="x" * 501), "fields[5].value: 501 characters"),
        (_answer(outcome="refused", refusal_reason="no"), "a refusal carries no fields"),
    ],
)
def test_rules__refuse(answer, problem):
    assert problem in "; ".join(RULES.problems(INVOICE, answer))


def test_rules__a_form_has_only_its_given_fields():
    answer = DocumentFields(
        fields=[FieldAnswer(field="total", value=None, confidence=0.0, quote=None)],
        outcome="extracted",
    )

    problems = "; ".join(RULES.problems(FORM, answer))

    assert "fields.field[0]: not one of the allowed values" in problems
    assert "the type's field at position 3 is missing" in problems


def test_prune__empties_a_field_whose_span_is_not_in_the_document():
    broken = _answer(
        FieldAnswer(field="total", value="702.00", confidence=0.9, quote="Total: EUR 702.00"),
        FieldAnswer(field="iban", value="DE89", confidence=0.9, quote="DE89"),
        FieldAnswer(field="currency", value="EUR", confidence=0.9, quote="eur  720.00"),
    )

    pruned = RULES.bind(INVOICE).pruned(broken)

    assert pruned is not None
    assert [(f.field, f.value) for f in pruned.fields] == [
        ("invoice_number", None),
        ("issue_date", None),
        ("due_date", None),
        ("total", None),
        ("currency", "EUR"),
        ("vendor", None),
    ]


async def test_offline_invoice__extracts_the_standard_fields_with_spans():
    result = await document_extraction.extract_document(INVOICE, ExtractiveProvider())

    assert result.model == "extractive"
    assert result.prompt_version == "document_extraction/v1"
    values = {f.field: f.value for f in result.output.fields}
    assert values == {
        "invoice_number": "INV-2026-0042",
        "issue_date": "14 March 2026",
        "due_date": "13 April 2026",
        "total": "720.00",
        "currency": "EUR",
        "vendor": "ACME Office Supplies Ltd",
    }
    for field in result.output.fields:
        assert INVOICE_TEXT[field.start : field.end] == field.quote
        assert 0 < field.confidence <= 0.7


async def test_offline_contract__extracts_parties_dates_term_and_law():
    result = await document_extraction.extract_document(CONTRACT, ExtractiveProvider())

    assert {f.field: f.value for f in result.output.fields} == {
        "parties": "Northwind Traders GmbH; Blue Harbor Consulting LLC",
        "effective_date": "March 1, 2026",
        "term": "twelve (12) months",
        "governing_law": "State of New York",
    }


async def test_offline_form__leaves_a_field_the_document_does_not_state_empty():
    result = await document_extraction.extract_document(FORM, ExtractiveProvider())

    by_field = {f.field: f for f in result.output.fields}
    assert by_field["full_name"].value == "Jane Doe"
    assert by_field["date_of_birth"].value == "02/05/1990"
    assert by_field["phone"].model_dump() == {
        "field": "phone",
        "value": None,
        "confidence": 0.0,
        "quote": None,
        "start": None,
        "end": None,
    }


async def test_offline__refuses_when_no_field_is_found():
    job = INVOICE.model_copy(update={"text": "Thanks for the lovely dinner last night!"})

    result = await document_extraction.extract_document(job, ExtractiveProvider())

    assert (result.output.outcome, result.output.fields) == ("refused", [])
    assert result.output.refusal_reason == NOTHING_FOUND


def test_located__gives_the_span_as_the_document_spells_it():
    answer = _answer(
        FieldAnswer(field="total", value="720.00", confidence=0.9, quote="total DUE:   eur 720.00")
    )

    (total,) = located(INVOICE, answer).fields

    assert (total.quote, INVOICE_TEXT[total.start : total.end]) == ("Total due: EUR 720.00",) * 2


def test_refusal__keeps_the_rules():
    assert RULES.problems(INVOICE, document_extraction.refuse("not an invoice")) == []


@pytest.mark.parametrize(
    "body",
    [
        {"document_type": "form", "text": "Name: Jane"},
        {"document_type": "invoice", "text": "Invoice 1", "fields": ["total"]},
        {"document_type": "receipt", "text": "x"},
        {"document_type": "form", "text": "x", "fields": ["name", "name"]},
    ],
)
def test_input__is_refused(body):
    with pytest.raises(ValidationError):
        DocumentExtractionInput.model_validate(body)
