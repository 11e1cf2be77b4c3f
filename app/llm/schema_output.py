"""A caller's own JSON schema as a step's output model.

The step runner asks for a pydantic output model (app/llm/structured.py sends its
schema as a strict ``response_format`` and validates the answer with it). A caller
that brings its own JSON schema (the Responses API's ``text.format``) gets a model
made for that schema by :func:`schema_output_model`: a ``RootModel`` whose JSON
schema *is* the caller's and whose validation is the caller's schema, checked by
``jsonschema-rs`` (the whole of JSON Schema, which pydantic does not read). So the
runner's routing, repair, checkpoints and call records work unchanged.

Threat model: the schema is the caller's. It is checked once, at intake
(:func:`check_schema`), and compiled without network access: a ``$ref`` to a URL is
refused, never fetched (it would make Courier a proxy to wherever it points).
Problems are described by where they are and which keyword they break, never with
the values the model sent (the repair prompt, app/llm/structured.py).
"""

from __future__ import annotations

import copy
import re
from typing import Any, ClassVar, cast

import jsonschema_rs
from pydantic import RootModel, model_validator

REFUSAL_KEY = "__courier_refusal__"
"""The one member of the value that stands for a refusal (the model declined): a
refusal has no instance of the caller's schema to offer, yet must round-trip through
a step's checkpoint like any answer."""

_NAME = re.compile(r"[^A-Za-z0-9_]")


class InvalidSchema(ValueError):
    """The JSON schema cannot be used: not a schema, or it refers to other documents."""


def _no_remote_refs(uri: str) -> Any:
    raise InvalidSchema(f"the schema refers to {uri!r}; only local references (#/...) are allowed")


def compile_schema(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    """``schema`` compiled, offline; :class:`InvalidSchema` when it is not one."""
    if not jsonschema_rs.meta.is_valid(schema):
        raise InvalidSchema("the schema is not a valid JSON Schema")
    try:
        return jsonschema_rs.validator_for(schema, retriever=_no_remote_refs)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
        raise InvalidSchema(str(exc).splitlines()[0]) from exc


def check_schema(schema: dict[str, Any]) -> None:
    """Raise :class:`InvalidSchema` unless ``schema`` is a usable object schema."""
    if schema.get("type") != "object":
        raise InvalidSchema('the schema\'s root must be an object ("type": "object")')
    compile_schema(schema)


class SchemaOutput(RootModel[Any]):
    """An answer that is an instance of :attr:`json_schema` (or a refusal)."""

    json_schema: ClassVar[dict[str, Any]] = {}
    schema_validator: ClassVar[jsonschema_rs.Validator | None] = None

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # What the model is asked for: the caller's schema, not pydantic's "any value".
        return copy.deepcopy(cls.json_schema)

    @model_validator(mode="after")
    def _matches_the_schema(self) -> SchemaOutput:
        if self.refusal is not None or self.schema_validator is None:
            return self
        problems = [
            f"{'.'.join(map(str, error.instance_path)) or '(the whole answer)'}: breaks the "
            f"schema's {error.schema_path[-1] if error.schema_path else 'rules'!s} keyword"
            for error in self.schema_validator.iter_errors(self.root)
        ]
        if problems:
            raise ValueError("; ".join(problems[:10]))
        return self

    @property
    def refusal(self) -> str | None:
        """The model's reason, when it refused."""
        if isinstance(self.root, dict) and set(self.root) == {REFUSAL_KEY}:
            return str(self.root[REFUSAL_KEY])
        return None

    @classmethod
    def refused(cls, reason: str) -> SchemaOutput:
        return cls(root={REFUSAL_KEY: reason})


def schema_output_model(name: str, schema: dict[str, Any]) -> type[SchemaOutput]:
    """An output model for ``schema`` (checked with :func:`check_schema` at intake),
    named ``name`` (the ``response_format``'s name)."""
    model = cast(
        type[SchemaOutput],
        type(_NAME.sub("_", name) or "Output", (SchemaOutput,), {"__module__": __name__}),
    )
    model.json_schema = copy.deepcopy(schema)
    model.schema_validator = compile_schema(schema)
    return model
