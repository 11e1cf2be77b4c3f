"""``document_extraction``'s input (a document, its type, a form's field names) and
output (each field of the type with a value, a confidence and the span it came from)."""

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

DocumentType = Literal["invoice", "contract", "form"]
SCHEMAS: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice_number", "issue_date", "due_date", "total", "currency", "vendor"),
    "contract": ("parties", "effective_date", "term", "governing_law"),
}
"""The fields of each document type; a form's are the names given in the input."""
MAX_VALUE = 500
MAX_QUOTE = 1_000

FieldName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z][a-z0-9_]{0,59}$"),
]


class DocumentExtractionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_type: DocumentType
    text: str = Field(min_length=1, max_length=100_000, description="The document's text.")
    fields: list[FieldName] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="A form's field names (snake_case); invoices and contracts have fixed fields.",
    )

    @field_validator("fields")
    @classmethod
    def _unique(cls, fields: list[str] | None) -> list[str] | None:
        if fields is not None and len(set(fields)) != len(fields):
            raise ValueError("fields must be unique")
        return fields

    @model_validator(mode="after")
    def _fields_of_forms_only(self) -> DocumentExtractionInput:
        if (self.document_type == "form") != (self.fields is not None):
            raise ValueError("fields are given for a form, and only for a form")
        return self

    def field_names(self) -> tuple[str, ...]:
        return tuple(self.fields) if self.fields is not None else SCHEMAS[self.document_type]


class FieldAnswer(BaseModel):
    field: str = Field(description="One of the document type's fields, spelled exactly as given.")
    # What the document states, located in it (a value the team asked for, not advice
    # to a reader): it may be a contact or an IBAN the document gives.
    value: Annotated[str | None, QUOTED] = Field(
        description="The value as the document states it; null when it does not."
    )
    confidence: float = Field(description="From 0 (a guess) to 1 (stated plainly).")
    quote: Annotated[str | None, Quoted(of="value")] = Field(
        description="The span of the document the value comes from, copied word for word; "
        "null when value is null."
    )


class DocumentFields(BaseModel):
    """What a model is asked for (the output schema it is sent)."""

    fields: list[FieldAnswer]
    outcome: Literal["extracted", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> DocumentFields:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self


class ExtractedField(FieldAnswer):
    start: int | None = Field(description="Where the quote starts in the document (characters).")
    end: int | None = Field(description="Where it ends (exclusive): text[start:end] is the quote.")


class ExtractedDocument(BaseModel):
    """The job's result: the fields with their spans located in the document."""

    document_type: DocumentType
    fields: list[ExtractedField]
    outcome: Literal["extracted", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> ExtractedDocument:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self


def empty(field: str) -> FieldAnswer:
    """A field the document does not state: left empty, never invented."""
    return FieldAnswer(field=field, value=None, confidence=0.0, quote=None)
