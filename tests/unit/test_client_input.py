"""Hostile input is refused where it is decoded, the same way on every route
(app/client_input.py): JSON of bounded depth without NUL, and every integer a
request may carry bounded by what its field and column hold."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from pydantic import BaseModel

from app.client_input import (
    MAX_JSON_DEPTH,
    CourierRequest,
    JsonTooDeep,
    TextHoldsNul,
    refuse_unstorable_json,
    refuse_unstorable_parameters,
)
from app.http import create_app
from app.settings import Settings
from tests.support.kinds import TEST_KINDS

INT64 = (-(2**63), 2**63 - 1)


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


def _empty_innermost(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_json__nesting_up_to_the_limit_is_accepted():
    refuse_unstorable_json(_nested(MAX_JSON_DEPTH))
    refuse_unstorable_json(_empty_innermost(MAX_JSON_DEPTH))


def test_json__one_level_more_is_refused_saying_the_limit():
    with pytest.raises(JsonTooDeep) as refused:
        refuse_unstorable_json(_nested(MAX_JSON_DEPTH + 1))
    assert str(MAX_JSON_DEPTH) in str(refused.value)
    assert refused.value.describe().status == 400
    with pytest.raises(JsonTooDeep):
        refuse_unstorable_json(_empty_innermost(MAX_JSON_DEPTH + 1))


def test_json__a_million_levels_are_refused_without_a_recursion_error():
    refuse = _nested(1_000_000)
    with pytest.raises(JsonTooDeep):
        refuse_unstorable_json(refuse)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"input": {"thread": [{"body": "ok"}, {"body": "a\x00b"}]}}, "input.thread.1.body"),
        ({"input": {"tags": ["x", "\x00"]}}, "input.tags.1"),
        ({"description": "\x00"}, "description"),
        ("\x00", ""),
    ],
)
def test_json__nul_in_any_string_is_refused_naming_its_field(document, field):
    with pytest.raises(TextHoldsNul) as refused:
        refuse_unstorable_json(document)
    described = refused.value.describe()
    assert described.status == 422
    assert described.extra == {"errors": [{"field": field, "message": refused.value.reason}]}


def test_json__nul_in_a_member_name_is_refused_naming_its_object():
    with pytest.raises(TextHoldsNul) as refused:
        refuse_unstorable_json({"input": {"a\x00": 1}})
    assert refused.value.field == "input"


@functools.cache
def _courier_app() -> Litestar:
    settings = Settings()
    settings.database.url = "postgresql://unused/courier"  # nothing connects: no lifespan runs
    return create_app(settings, TEST_KINDS)


def _handlers(app: Litestar) -> Iterator[Any]:
    for route in app.routes:
        yield from getattr(route, "route_handlers", [])


def test_every_route__decodes_with_the_courier_request_and_checks_parameters():
    courier_app = _courier_app()
    # A nearer layer's request_class or before_request would replace the app's silently.
    handlers = list(_handlers(courier_app))
    assert handlers
    for handler in handlers:
        assert handler.resolve_request_class() is CourierRequest, handler
        assert handler.resolve_before_request() is refuse_unstorable_parameters, handler


def _integer_schemas(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer schema inside a JSON schema, with where it was found."""
    if isinstance(schema, dict):
        if schema.get("type") == "integer" or "integer" in (schema.get("type") or []):
            yield where, schema
        for key, value in schema.items():
            yield from _integer_schemas(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _integer_schemas(value, f"{where}.{index}")


def _body_models(app: Litestar) -> Iterator[tuple[str, type[BaseModel]]]:
    for handler in _handlers(app):
        data = handler.parsed_fn_signature.parameters.get("data")
        if data is not None:
            assert isinstance(data.annotation, type) and issubclass(data.annotation, BaseModel)
            yield handler.operation_id, data.annotation


def _unbounded(integers: Iterator[tuple[str, dict[str, Any]]]) -> list[str]:
    return [
        where
        for where, schema in integers
        if not (
            INT64[0] <= schema.get("minimum", INT64[0] - 1) <= INT64[1]
            and INT64[0] <= schema.get("maximum", INT64[1] + 1) <= INT64[1]
        )
    ]


def test_every_integer_of_every_request_body__has_both_bounds_within_bigint():
    courier_app = _courier_app()
    # pydantic's own schema: what validation enforces (also of every kind's input).
    models = dict(_body_models(courier_app))
    assert {"CreateJob", "CreateWebhookEndpoint"} <= set(models)
    unbounded = [
        where
        for operation, model in models.items()
        for where in _unbounded(_integer_schemas(model.model_json_schema(), operation))
    ]
    assert unbounded == []


def test_every_integer_parameter__has_both_bounds_within_bigint():
    courier_app = _courier_app()
    document = courier_app.openapi_schema.to_schema()
    integers = [
        (f"{operation['operationId']} {parameter['name']}", schema)
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
        for parameter in operation.get("parameters", [])
        for _, schema in _integer_schemas(parameter["schema"], "")
    ]
    assert any(where == "ListJobs limit" for where, _ in integers)
    assert _unbounded(iter(integers)) == []
