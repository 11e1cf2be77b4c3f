"""``product_description``'s input (product metadata, the locale to write in, the
customer tier, optional reference documents, the limits) and output (a title, a body
and bullet points in that locale, citing the metadata and references they use)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.safety.trust import TRUSTED

LOCALE = r"^[a-z]{2}(?:-[A-Z]{2})?$"
METADATA = "metadata"
"""The id the product's metadata is cited by."""
MAX_BULLET = 200
AttributeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
]
AttributeValue = (
    Annotated[str, StringConstraints(max_length=500)]
    | Annotated[int, Field(ge=-(10**12), le=10**12)]
    | Annotated[float, Field(ge=-1e12, le=1e12)]
    | bool
)
Feature = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
CustomerTier = Literal["standard", "premium", "business"]


class ProductMetadata(BaseModel):
    """The product's record. Only its identity (name, brand, category, SKU) is the
    product team's own text, trusted for contacts; attributes and features come from
    suppliers and sellers on a marketplace (a third party's text, however it reached the
    catalogue), so a link or number in them is held like one in a reference."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, TRUSTED] = Field(min_length=1, max_length=200)
    brand: Annotated[str | None, TRUSTED] = Field(default=None, max_length=100)
    category: Annotated[str | None, TRUSTED] = Field(default=None, max_length=200)
    sku: Annotated[str | None, TRUSTED] = Field(default=None, max_length=64)
    attributes: dict[AttributeName, AttributeValue] = Field(
        default_factory=dict,
        max_length=100,
        description='Facts about the product, e.g. {"material": "merino wool", "weight_g": 240}.',
    )
    features: list[Feature] = Field(default_factory=list, max_length=30)

    def as_text(self) -> str:
        """The metadata as the text it is quoted from (``metadata`` in citations)."""
        lines = [f"name: {self.name}"]
        lines += [f"{k}: {v}" for k, v in (("brand", self.brand), ("category", self.category)) if v]
        lines += [f"sku: {self.sku}"] if self.sku else []
        lines += [f"{key}: {printed(value)}" for key, value in self.attributes.items()]
        lines += [f"feature: {feature}" for feature in self.features]
        return "\n".join(lines)


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", description="Cited by this id.")
    title: str | None = Field(default=None, max_length=300)
    text: str = Field(min_length=1, max_length=50_000)


class ProductDescriptionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The catalogue's record: its identity fields are trusted (ProductMetadata); its
    # attributes and features, and the references (supplier sheets, documents), are not.
    product: ProductMetadata
    locale: str = Field(pattern=LOCALE, description="The locale to write in, e.g. de-DE.")
    metadata_locale: str = Field(
        default="en", pattern=LOCALE, description="The locale the metadata is written in."
    )
    customer_tier: CustomerTier = Field(
        default="standard", description="Who reads it: business readers get the specs first."
    )
    references: list[Reference] = Field(default_factory=list, max_length=20)
    max_title: int = Field(default=80, ge=20, le=200, description="Characters.")
    max_body: int = Field(default=1_200, ge=100, le=5_000, description="Characters.")
    max_bullets: int = Field(default=5, ge=1, le=10)
    search_documents: bool = Field(
        default=False,
        description=(
            "Search the tenant's documents the requester may read for the product and add "
            "the best passages to the references (cited as doc:<id>:<chunk>)."
        ),
    )

    @model_validator(mode="after")
    def _reference_ids(self) -> ProductDescriptionInput:
        ids = [r.id for r in self.references]
        if METADATA in ids or len(set(ids)) != len(ids):
            raise ValueError(f"reference ids must be unique and not {METADATA!r}")
        # doc:... names a retrieved chunk, which the API resolves for its readers.
        if any(i.startswith("doc:") for i in ids):
            raise ValueError("reference ids starting with 'doc:' are reserved for documents")
        return self

    def sources(self) -> dict[str, str]:
        """What the description may rest on: the metadata, then the references."""
        return {METADATA: self.product.as_text()} | {r.id: r.text for r in self.references}


def printed(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def language(locale: str) -> str:
    return locale.split("-", 1)[0]


class Citation(BaseModel):
    source: str = Field(
        description='"metadata", the id of a given reference or a document passage (doc:...).'
    )
    quote: str = Field(description="The value or sentence relied on, copied word for word.")


class ProductDescription(BaseModel):
    title: str
    body: str
    bullets: list[str]
    locale: str = Field(description="The locale it is written in: the one requested.")
    citations: list[Citation]
    outcome: Literal["written", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> ProductDescription:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self
