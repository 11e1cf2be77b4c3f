"""Structured outputs: a kind's pydantic output model as the strict JSON schema a
chat completion is asked to follow, and the model's answer checked against it.

Strict mode (OpenAI's ``response_format={"type": "json_schema", ..., "strict": true}``,
also understood by vLLM, Ollama and most gateways) needs every object closed
(``additionalProperties: false``) with every property required (an optional field
is a nullable one), no ``default`` and no ``$ref`` with siblings. The schema cannot
say everything a model checks (``EmailReplyDraft``: a reason exactly when refused),
so the answer is validated by the model itself, and what is wrong is said in words
a model can act on (the repair prompt), never with the values it sent.
"""

from __future__ import annotations

import functools
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

OutputT = TypeVar("OutputT", bound=BaseModel)

_UNSUPPORTED = ("default", "discriminator")


class InvalidAnswer(Exception):
    """The model's answer is not the output model; ``problem`` says why, for the repair."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@functools.cache
def response_format(output_model: type[BaseModel]) -> dict[str, Any]:
    """The chat completions ``response_format`` asking for ``output_model``, strictly.

    Built once per output model (a class's schema does not change while the process
    runs, and building it walks the whole schema: a few per cent of a busy worker's
    CPU). Every call shares the one dict: read it, never change it."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": output_model.__name__,
            "schema": strict_schema(output_model),
            "strict": True,
        },
    }


@functools.cache
def response_format_chars(output_model: type[BaseModel]) -> int:
    """Characters of ``output_model``'s ``response_format`` as JSON: what it adds to a
    request's prompt (a provider puts the schema in the model's context and bills it
    as input)."""
    return len(json.dumps(response_format(output_model)))


@functools.cache
def strict_schema(output_model: type[BaseModel]) -> dict[str, Any]:
    """``output_model``'s JSON schema in the shape strict mode accepts.

    Built once per output model, like :func:`response_format` (the output guards read
    it for every answer too: 4 % of a worker's CPU under bench.inflight when built
    each time, bench/PROFILES.md). Shared: read it, never change it."""
    schema = output_model.model_json_schema()
    definitions = schema.get("$defs", {})
    return _strict(schema, definitions)


def _strict(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and len(node) > 1:
        # A $ref with siblings (pydantic puts a field's description beside it): inline it.
        name = node["$ref"].removeprefix("#/$defs/")
        node = {**definitions[name], **{k: v for k, v in node.items() if k != "$ref"}}
    strict = {
        key: (
            {name: _strict(value, definitions) for name, value in value.items()}
            if key in ("properties", "$defs")
            else _strict(value, definitions)
        )
        for key, value in node.items()
        if key not in _UNSUPPORTED
    }
    if strict.get("type") == "object" or "properties" in strict:
        strict["additionalProperties"] = False
        strict["required"] = list(strict.get("properties", {}))
    return strict


def parse_answer(output_model: type[OutputT], text: str | None) -> OutputT:
    """The answer as ``output_model``; :class:`InvalidAnswer` when it is not JSON or
    breaks the model (its schema or its own validators)."""
    if not text:
        raise InvalidAnswer("the answer was empty; answer with one JSON object")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"the answer was not valid JSON ({exc.msg} at {exc.pos})") from exc
    try:
        return output_model.model_validate(data)
    except ValidationError as exc:
        raise InvalidAnswer(describe_errors(exc)) from exc


def describe_errors(exc: ValidationError) -> str:
    """Each problem as ``field: message``, without the offending values."""
    return "; ".join(
        f"{'.'.join(map(str, error['loc'])) or '(the whole answer)'}: {error['msg']}"
        for error in exc.errors(include_url=False, include_input=False)
    )
