"""The body of ``POST /v1/responses``: the Responses API's request fields Courier
serves (docs/openai-background.md). Any other field is refused with 400
(``unsupported_parameter``) rather than ignored: a caller relying on it would get
an answer made without it. A few fields that change nothing Courier does are
accepted and ignored: ``user``, ``safety_identifier``, ``prompt_cache_key``, and
``tools``, ``include`` and ``tool_choice`` when they ask for nothing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.responses.job_input import MAX_TEXT, JsonSchemaFormat, TextFormat

MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MetadataValue = Annotated[str, StringConstraints(max_length=512)]


class InputText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["input_text", "output_text"]
    text: str = Field(max_length=MAX_TEXT)
    annotations: list[Any] | None = Field(default=None, max_length=0)


class InputMessage(BaseModel):
    """A message of the conversation; ``system`` and ``developer`` messages count as
    instructions."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["message"] | None = None
    role: Literal["user", "assistant", "system", "developer"]
    content: Annotated[str, StringConstraints(max_length=MAX_TEXT)] | list[InputText] = Field(
        max_length=MAX_TEXT
    )
    id: str | None = Field(default=None, max_length=200)
    status: Literal["completed", "in_progress", "incomplete"] | None = None


class TextConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Annotated[TextFormat | JsonSchemaFormat, Field(discriminator="type")] | None = None
    verbosity: Literal["medium"] | None = None


class CreateResponseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=200, examples=["gpt-4.1-mini"])
    input: (
        Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
        | Annotated[list[InputMessage], Field(min_length=1, max_length=500)]
    )
    instructions: str | None = Field(default=None, max_length=MAX_TEXT)
    text: TextConfig | None = None
    max_output_tokens: int | None = Field(default=None, ge=16, le=1_000_000)
    metadata: dict[MetadataKey, MetadataValue] | None = Field(default=None, max_length=16)
    background: bool | None = None
    stream: bool | None = None
    store: bool | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    # Accepted, and change nothing Courier does.
    user: str | None = Field(default=None, max_length=512)
    safety_identifier: str | None = Field(default=None, max_length=512)
    prompt_cache_key: str | None = Field(default=None, max_length=512)
    tools: list[Any] | None = Field(default=None, max_length=100)
    tool_choice: Literal["none", "auto"] | None = None
    include: list[str] | None = Field(default=None, max_length=20)

    @field_validator("tools")
    @classmethod
    def _no_tools(cls, tools: list[Any] | None) -> list[Any] | None:
        if tools:
            raise ValueError(
                "Courier does not run tools (web search, file search, code interpreter, "
                "functions); send no tools"
            )
        return tools

    @field_validator("include")
    @classmethod
    def _nothing_included(cls, include: list[str] | None) -> list[str] | None:
        if include:
            raise ValueError("Courier has no extra output to include; send no include")
        return include
