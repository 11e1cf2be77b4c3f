"""``taxonomy_tagging``'s input (a text and its taxonomy) and output (tags with confidences)."""

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

from app.safety.trust import TRUSTED

TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TaxonomyTaggingInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=50_000, description="The content to tag.")
    title: str | None = Field(default=None, max_length=300)
    taxonomy: Annotated[list[TagName], TRUSTED] = Field(
        min_length=1, max_length=500, description="The allowed tags; no other tag is returned."
    )
    max_tags: int = Field(default=5, ge=1, le=50, description="At most this many tags.")

    @field_validator("taxonomy")
    @classmethod
    def _unique(cls, taxonomy: list[str]) -> list[str]:
        if len(set(taxonomy)) != len(taxonomy):
            raise ValueError("taxonomy tags must be unique")
        return taxonomy


class Tag(BaseModel):
    tag: str = Field(description="One tag of the input's taxonomy, spelled exactly as given.")
    confidence: float = Field(description="How sure, from 0 (a guess) to 1 (certain).")


class TaxonomyTags(BaseModel):
    tags: list[Tag]
    outcome: Literal["tagged", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> TaxonomyTags:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self
