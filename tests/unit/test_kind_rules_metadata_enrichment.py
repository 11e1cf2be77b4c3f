"""``metadata_enrichment``: each rule refuses a bad answer; a value not tied to a source
is removed, never kept (the prune); the offline answer states only what the content
states; nothing stated is a refusal with its reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import metadata_enrichment
from tasks.kinds.metadata_enrichment import (
    NOTHING_STATED,
    RULES,
    EnrichedMetadata,
    FieldValue,
    MetadataEnrichmentInput,
)
from tests.support.content_kind_inputs import PRODUCT

SPEC = "Material: 80% merino wool, 20% nylon"


def _value(field: str, value: str | None = None, **update) -> FieldValue:
    if value is None:
        return FieldValue(field=field, value=None, confidence=0.0, source=None, quote=None)
    return FieldValue(field=field, value=value, confidence=0.8, source="spec-1", quote=SPEC)


def _answer(*fields: FieldValue, **update) -> EnrichedMetadata:
    fields = fields or (
        _value("material", "80% merino wool, 20% nylon"),
        FieldValue(
            field="colour",
            value="charcoal grey",
            confidence=0.7,
            source="description",
            quote="Available in charcoal grey.",
        ),
        FieldValue(
            field="audience",
            value="men",
            confidence=0.6,
            source="title",
            quote="Men's Merino Wool Hiking Socks",
        ),
        _value("brand"),
    )
    return EnrichedMetadata(fields=list(fields), outcome="enriched").model_copy(update=update)


def _problems(answer: EnrichedMetadata) -> str:
    return "; ".join(RULES.problems(PRODUCT, answer))


def test_rules__a_tied_answer_keeps_them_all():
    assert RULES.problems(PRODUCT, _answer()) == []


def _replaced(index: int, **update) -> EnrichedMetadata:
    good = _answer()
    fields = list(good.fields)
    fields[index] = fields[index].model_copy(update=update)
    return good.model_copy(update={"fields": fields})


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (_replaced(3, field="price"), "fields.field[3]: not one of the allowed values"),
        (_replaced(3, field="material"), "fields[3]: the same field twice"),
        (_answer(*_answer().fields[:3]), "the field asked for at position 3 is missing"),
        (_replaced(0, source="spec-9"), "fields[0].source: not one of the given sources"),
        (_replaced(0, quote="Material: pure silk"), "fields[0].quote: not found word for word"),
        (_replaced(0, value="silk"), "fields[0].value: not stated by its quote"),
        (_replaced(2, value="women"), "fields[2].value: not stated by its quote"),
        (_replaced(0, quote=None), "fields[0]: a value names its source and quotes it"),
        (_replaced(3, source="title"), "fields[3]: an empty field has no source and no quote"),
        (_replaced(1, confidence=1.2), "fields.confidence[1]: must be between 0.0 and 1.0"),
        (_replaced(0, value="x" * 301), "fields[0].value: 301 characters"),
        (_answer(outcome="refused", refusal_reason="no"), "a refusal carries no fields"),
    ],
)
def test_rules__refuse(answer, problem):
    assert problem in _problems(answer)


def test_rules__a_value_the_quote_states_in_other_words_order_is_tied():
    answer = _replaced(0, value="Merino wool")

    assert RULES.problems(PRODUCT, answer) == []


def test_rules__a_value_inside_another_word_is_not_tied():
    job = PRODUCT.model_copy(update={"title": "Women's Merino Wool Hiking Socks"})
    answer = _replaced(2, quote="Women's Merino Wool Hiking Socks")

    assert "fields[2].value: not stated" in "; ".join(RULES.problems(job, answer))


def test_prune__removes_a_value_not_tied_to_a_source_and_never_guesses_another():
    broken = _answer(
        FieldValue(field="brand", value="Smartwool", confidence=0.9, source="title", quote="Socks"),
        FieldValue(field="price", value="19", confidence=0.9, source="title", quote="Socks"),
        _value("material", "silk"),
        FieldValue(
            field="colour",
            value="charcoal",
            confidence=0.6,
            source="description",
            quote="Available in charcoal grey.",
        ),
    )

    pruned = RULES.bind(PRODUCT).pruned(broken)

    assert pruned is not None
    assert [(f.field, f.value, f.source) for f in pruned.fields] == [
        ("material", None, None),
        ("colour", "charcoal", "description"),
        ("audience", None, None),
        ("brand", None, None),
    ]


def test_prune__cannot_fix_a_confidence_out_of_range():
    assert RULES.bind(PRODUCT).pruned(_replaced(1, confidence=3.0)) is None


async def test_offline__states_what_the_content_states_and_leaves_the_rest_empty():
    result = await metadata_enrichment.enrich_metadata(PRODUCT, ExtractiveProvider())

    assert result.model == "extractive"
    assert result.prompt_version == "metadata_enrichment/v1"
    by_field = {f.field: f for f in result.output.fields}
    assert (by_field["material"].value, by_field["material"].source) == (
        "80% merino wool, 20% nylon",
        "spec-1",
    )
    assert (by_field["colour"].value, by_field["colour"].quote) == (
        "charcoal grey",
        "Available in charcoal grey.",
    )
    assert (by_field["audience"].value, by_field["audience"].source) == ("Men", "title")
    assert by_field["brand"] == FieldValue(
        field="brand", value=None, confidence=0.0, source=None, quote=None
    )
    assert all(f.confidence <= 0.8 for f in result.output.fields)


async def test_offline__refuses_when_no_source_states_any_field():
    job = PRODUCT.model_copy(update={"fields": ["brand", "warranty"]})

    result = await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())

    assert (result.output.outcome, result.output.fields) == ("refused", [])
    assert result.output.refusal_reason == NOTHING_STATED


def test_refusal__keeps_the_rules():
    assert RULES.problems(PRODUCT, metadata_enrichment.refuse(PRODUCT, "no")) == []


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"fields": ["colour", "colour"]}, "fields"),
        ({"fields": ["Colour Name"]}, "fields"),
        ({"references": [{"id": "title", "text": "x"}]}, "references"),
    ],
)
def test_input__is_refused_naming_the_field(update, field):
    with pytest.raises(ValidationError) as raised:
        MetadataEnrichmentInput.model_validate({**PRODUCT.model_dump(), **update})

    assert raised.value.errors()[0]["loc"][0] == field
