"""``product_description``: a product description (title, body, bullet points) in the
requested locale, from the product's metadata, the customer tier and optional
reference documents, citing what it uses. Large tier: published copy that speaks for
the brand, in other languages. Offline a template fills in the metadata as given (and
the references' sentences about the product) when no translation is needed, and
refuses otherwise."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.product_description.handler import (
    PROMPTS,
    compose_description,
    describe_product,
    refuse,
)
from tasks.kinds.product_description.models import (
    Citation,
    ProductDescription,
    ProductDescriptionInput,
    ProductMetadata,
    Reference,
)
from tasks.kinds.product_description.rules import RULES

KIND = Kind(
    name="product_description",
    input_model=ProductDescriptionInput,
    output_model=ProductDescription,
    handler=describe_product,
    default_deadline=timedelta(minutes=10),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="large",  # published, translated copy: already the top tier, so no risk signal
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "Citation",
    "ProductDescription",
    "ProductDescriptionInput",
    "ProductMetadata",
    "Reference",
    "compose_description",
    "describe_product",
    "refuse",
]
