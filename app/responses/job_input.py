"""The input of a ``response`` job: a Responses API request as Courier runs it.

The API (app/responses/service.py) builds it from the request it accepted, with the
model name already resolved to a tier; the worker's kind (tasks/kinds/response/)
runs it. It lives in ``app/`` because both sides read it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.llm.routing import Tier
from app.llm.schema_output import InvalidSchema, check_schema
from app.safety.trust import TRUSTED, Trusted

MAX_TEXT = 200_000
"""Characters of one message, or of the instructions."""


class ConversationMessage(BaseModel):
    """One message of the conversation, as plain text."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    text: str = Field(max_length=MAX_TEXT)


class TextFormat(BaseModel):
    """Plain text."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text"] = "text"


class JsonSchemaFormat(BaseModel):
    """A JSON object matching the caller's schema."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: Literal["json_schema"] = "json_schema"
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    json_schema: dict[str, Any] = Field(alias="schema")
    description: str | None = Field(default=None, max_length=10_000)
    strict: bool | None = None

    @field_validator("json_schema")
    @classmethod
    def _usable(cls, schema: dict[str, Any]) -> dict[str, Any]:
        try:
            check_schema(schema)
        except InvalidSchema as exc:
            raise ValueError(str(exc)) from exc
        return schema


OutputFormat = Annotated[TextFormat | JsonSchemaFormat, Field(discriminator="type")]


def _from_the_user(message: ConversationMessage) -> bool:
    return message.role == "user"


class ResponseJobInput(BaseModel):
    """What a ``response`` job runs. ``model`` is the name the caller asked for (shown
    back on the response); ``tier`` is where Courier routes it (app/responses/models.py)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=200)
    tier: Tier
    # The developer's instructions and the user's own messages are the request (trusted,
    # app/safety/trust.py); an earlier assistant turn may carry what a model read.
    instructions: Annotated[str | None, TRUSTED] = Field(default=None, max_length=MAX_TEXT)
    messages: Annotated[list[ConversationMessage], Trusted(when=_from_the_user)] = Field(
        min_length=1, max_length=500
    )
    format: OutputFormat = Field(default_factory=TextFormat)
    max_output_tokens: int | None = Field(default=None, ge=16, le=1_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    metadata: dict[str, str] = Field(default_factory=dict)
    background: bool = False

    @field_validator("messages")
    @classmethod
    def _has_a_user_message(cls, messages: list[ConversationMessage]) -> list[ConversationMessage]:
        if not any(message.role == "user" for message in messages):
            raise ValueError("the conversation needs at least one user message")
        return messages
