"""``metadata_enrichment``'s input (product content, optional reference texts, the
fields asked for) and output (each field's value, confidence and source)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.safety.trust import QUOTED, Quoted

FieldName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z][a-z0-9_]{0,39}$"),
]
CONTENT_SOURCES = ("title", "description")
"""The ids the product's own title and description are cited by."""
MAX_VALUE = 300
MAX_QUOTE = 1_000


class ReferenceText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", description="Cited by this id.")
    title: str | None = Field(default=None, max_length=300)
    text: str = Field(min_length=1, max_length=50_000)


class MetadataEnrichmentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300, description="The product's title.")
    description: str = Field(default="", max_length=20_000, description="The product's text.")
    references: list[ReferenceText] = Field(
        default_factory=list,
        max_length=20,
        description="Further texts about the product (spec sheets, supplier data), cited by id.",
    )
    fields: list[FieldName] = Field(
        min_length=1,
        max_length=30,
        description="The fields asked for, e.g. material, colour, audience (snake_case).",
    )
    search_documents: bool = Field(
        default=False,
        description=(
            "Search the tenant's documents the requester may read for the product's title "
            "and read the best passages as references too (cited as doc:<id>:<chunk>)."
        ),
    )

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, fields: list[str]) -> list[str]:
        if len(set(fields)) != len(fields):
            raise ValueError("fields must be unique")
        return fields

    @field_validator("references")
    @classmethod
    def _unique_ids(cls, references: list[ReferenceText]) -> list[ReferenceText]:
        ids = [r.id for r in references]
        if len(set(ids)) != len(ids) or set(ids) & set(CONTENT_SOURCES):
            raise ValueError("reference ids must be unique and not 'title' or 'description'")
        # doc:... names a retrieved chunk, which the API resolves for its readers.
        if any(i.startswith("doc:") for i in ids):
            raise ValueError("reference ids starting with 'doc:' are reserved for documents")
        return references

    def sources(self) -> dict[str, str]:
        """Every text a value may come from, by the id it is cited with, in order."""
        texts = {"title": self.title, "description": self.description}
        return {**texts, **{r.id: r.text for r in self.references}}


class FieldValue(BaseModel):
    field: str = Field(description="One of the fields asked for, spelled exactly as given.")
    # What a source states, tied to its quote by the rules: it may be a contact.
    value: Annotated[str | None, QUOTED] = Field(
        description="The value as the source states it; null when no source states it."
    )
    confidence: float = Field(description="From 0 (a guess) to 1 (stated plainly).")
    source: str | None = Field(
        description="The id of the source the value comes from; null when value is null."
    )
    quote: Annotated[str | None, Quoted(of="value")] = Field(
        description="The passage of that source stating the value, copied word for word; "
        "null when value is null."
    )


class EnrichedMetadata(BaseModel):
    fields: list[FieldValue]
    outcome: Literal["enriched", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> EnrichedMetadata:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self


def empty(field: str) -> FieldValue:
    """A field no source states: left empty, never guessed."""
    return FieldValue(field=field, value=None, confidence=0.0, source=None, quote=None)
