"""``response``'s input (a Responses API request: app/responses/job_input.py, shared
with the API) and outputs: what the model is asked for, and the job's result."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.responses.job_input import ResponseJobInput


class TextAnswer(BaseModel):
    """A plain-text answer, asked for as one JSON string so every provider's structured
    output (and the step runner's validation) carries it."""

    text: str = Field(description="The complete answer, as plain text or Markdown.")
    refusal: SkipJsonSchema[str | None] = None
    """Set by Courier when the model refused (never asked of the model)."""


class ResponseResult(BaseModel):
    """A response's output: its text (for a JSON schema, the object as JSON text, as
    OpenAI gives it in ``output_text``) or the model's refusal."""

    text: str | None = None
    refusal: str | None = None

    @model_validator(mode="after")
    def _text_or_refusal(self) -> ResponseResult:
        if (self.text is None) == (self.refusal is None):
            raise ValueError("a response carries either text or a refusal")
        return self


__all__ = ["ResponseJobInput", "ResponseResult", "TextAnswer"]
