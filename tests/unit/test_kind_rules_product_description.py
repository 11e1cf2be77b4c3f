"""``product_description``'s rules refuse a bad description (limits, locale, citations,
numbers and materials not in the metadata or references); its offline template writes
from the metadata as given, or refuses what needs a translation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import product_description
from tasks.kinds.product_description import Citation, ProductDescription, ProductDescriptionInput
from tests.support.kind_inputs_a import PRODUCT


def _description(**update) -> ProductDescription:
    good = ProductDescription(
        title="Northpeak Trail Runner 2 jacket",
        body="A 240 g rain jacket of recycled polyester; wash it at 30 degrees.",
        bullets=["Taped seams", "240 g"],
        locale="en-US",
        citations=[
            Citation(source="metadata", quote="recycled polyester"),
            Citation(source="care", quote="Wash the jacket at 30 degrees."),
        ],
        outcome="written",
    )
    return good.model_copy(update=update)


def test_rules__a_good_description_keeps_them_all():
    assert product_description.RULES.problems(PRODUCT, _description()) == []


@pytest.mark.parametrize(
    ("description", "problem"),
    [
        (_description(locale="de-DE"), "locale: must be the requested locale (en-US)"),
        (_description(title="x" * 81), "title: 81 characters, at most 80"),
        (_description(body="x" * 1201), "body: 1201 characters, at most 1200"),
        (_description(bullets=["a", "b", "c", "d"]), "bullets: 4 bullets, at most 3"),
        (_description(bullets=["x" * 201]), "bullets[0]: 201 characters"),
        (_description(bullets=[]), "bullets: give at least one"),
        (_description(citations=[Citation(source="specs", quote="x")]), "citations.source[0]"),
        (
            _description(citations=[Citation(source="metadata", quote="merino wool")]),
            "citations[0].quote: not found word for word",
        ),
        (
            _description(body="Weighs only 180 g."),
            "body: a number that neither the metadata nor the references give",
        ),
        (
            _description(bullets=["Rated 10,000 mm waterproof"]),
            "bullets[0]: a number that neither",
        ),
        (
            _description(title="Nylon rain jacket"),
            "title: a material that neither the metadata nor the references name",
        ),
        (_description(outcome="refused", refusal_reason="no"), "a refusal carries no title"),
    ],
)
def test_product_description_rules__refuse(description, problem):
    assert problem in "; ".join(product_description.RULES.problems(PRODUCT, description))


def test_numbers__written_for_another_locale_are_the_same_number():
    job = PRODUCT.model_copy(
        update={"product": PRODUCT.product.model_copy(update={"attributes": {"weight_kg": 1.25}})}
    )
    for body in ["Weighs 1,25 kg.", "Weighs 1.25 kg."]:
        assert (
            product_description.RULES.problems(
                job, _description(body=body, bullets=["x"], citations=[])
            )
            == []
        )


def test_input__reference_ids_are_unique_and_not_metadata():
    with pytest.raises(ValidationError, match="metadata"):
        ProductDescriptionInput(
            locale="en", product={"name": "n"}, references=[{"id": "metadata", "text": "t"}]
        )


async def test_offline__writes_from_the_metadata_and_the_references_cited():
    result = await product_description.describe_product(PRODUCT, ExtractiveProvider())
    output = result.output

    assert result.model == "extractive" and result.prompt_version == "product_description/v1"
    assert output.outcome == "written" and output.locale == "en-US"
    assert output.title == "Northpeak Trail Runner 2 jacket"
    assert output.bullets == [
        "Taped seams keep the rain out",
        "material: recycled polyester",
        "weight g: 240",
    ]
    assert {c.source for c in output.citations} <= {"metadata", "care"}


async def test_offline__refuses_a_locale_it_would_have_to_translate_to():
    job = PRODUCT.model_copy(update={"locale": "de-DE"})

    result = await product_description.describe_product(job, ExtractiveProvider())

    assert result.output.outcome == "refused" and result.output.bullets == []
    assert "cannot write de-DE from metadata in en" in (result.output.refusal_reason or "")


def test_refusal__keeps_the_rules_and_the_kind_starts_at_the_large_tier():
    assert product_description.RULES.problems(PRODUCT, product_description.refuse("no")) == []
    assert product_description.KIND.tier == "large"
