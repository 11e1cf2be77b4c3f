"""Every error Courier defines either belongs to exactly one category (and so has an
HTTP answer) or is listed here as internal; the problem+json mapper answers each
public error exactly as it did when it held a table of leaves, and another
envelope can be written from the same description without one."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import app
import tasks
from app.client_input import InvalidParameterText, JsonTooDeep, TextHoldsNul
from app.db import DatabaseUnavailable, NotFound, UnstorableText
from app.delivery.sse import InvalidLastEventId, StreamJobNotFound
from app.delivery.ssrf import DestinationRefused
from app.delivery.tokens import InvalidStreamToken
from app.delivery.webhooks import InvalidWebhookRequest, WebhookEndpointDisabled, WebhookNotFound
from app.errors import CATEGORIES, CourierError, MissingIdempotencyKey, PublicError
from app.jobs.service import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidJobRequest,
    JobAlreadyFinished,
    JobNotFound,
    JobNotReplayable,
)
from app.keys.auth import AdminRequired
from app.keys.service import Unauthenticated
from app.problems import courier_problem
from app.tenants.budgets import BudgetExhausted
from app.tenants.rate_limit import RateLimited

# Errors no HTTP caller meets as themselves. A new error must choose: a category,
# or a line here saying why it never reaches a caller.
INTERNAL = {
    "DatabaseError": "database seam: services translate it into their own errors",
    "NotFound": "database seam: a :one query matched no row",
    "ConstraintViolation": "database seam: services name the constraint's meaning",
    "Conflict": "database seam: a unique constraint refused a duplicate",
    "LockTimeout": "database seam: the cancel service decides what a held lock means",
    "QueryShapeMismatch": "database seam: a programming error (a verb that misfits the query)",
    "RuntimeRoleUnavailable": "start-up: the configured user may not act as the runtime role",
    "QueryFileError": "start-up: a malformed SQL file stops the process",
    "MigrationError": "start-up and CLI: the schema does not match the migrations",
    "ServerStartFailed": "CLI: the API server could not start",
    "MetricsServerFailed": "start-up: a metrics endpoint could not listen",
    "InvalidKeyRequest": "CLI: `courier keys create` reports it",
    "UnknownKey": "CLI: `courier keys revoke` reports it",
    "StreamFinished": "control flow: the SSE controller ends the stream",
    "StreamSecretConfigured": "CLI: `courier stream-secret rotate` reports it",
    "ProviderError": "worker: recorded on the job, never an HTTP answer",
    "TransientProviderError": "worker: the job is retried",
    "PermanentProviderError": "worker: the job fails",
    "ProviderPaused": "worker: the job waits in the queue until the provider's pause ends",
    "InvalidModelOutput": "worker: the job fails with invalid_model_output",
    "UnknownCallOutcome": "worker: a programming error of the step runner settling a call",
    "UnpricedModel": "worker: a configuration error (COURIER_PRICES_MODELS), before any call",
    "InvalidBudget": "CLI: `courier budget set` reports it",
    "InvalidTenantTier": "CLI: `courier tenants set-tier` reports it",
    "UnmarkedText": "worker: a prompt template's own bug; the job fails with handler_error",
    "PromptTemplateError": "start-up: a kind's prompt templates are broken; nothing starts",
    "UnknownPromptVersion": "CLI: `courier prompts pin|split` reports it",
    "IngestFileError": "CLI: `courier ingest` reports the bad line",
    "EmbedderUnavailable": "start-up and worker: a configuration error; search falls back to "
    "full text",
}


def _descendants(cls: type[CourierError]) -> Iterator[type[CourierError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _descendants(sub)


def _courier_errors() -> list[type[CourierError]]:
    """Every CourierError subclass defined in app/ and tasks/, except the categories."""
    for package in (app, tasks):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    found = {
        cls
        for cls in _descendants(CourierError)
        if cls.__module__.partition(".")[0] in {"app", "tasks"}
        and cls is not PublicError
        and cls not in CATEGORIES
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


ERRORS = _courier_errors()


def test_errors__names_are_unique():
    names = [cls.__qualname__ for cls in ERRORS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__qualname__)
def test_error__belongs_to_one_category_or_is_listed_internal(cls: type[CourierError]):
    categories = [category for category in CATEGORIES if issubclass(cls, category)]
    if cls.__qualname__ in INTERNAL:
        assert categories == [], f"{cls.__qualname__} is listed internal but has a category"
    else:
        assert len(categories) == 1, f"{cls.__qualname__}: categories {categories}"
        assert issubclass(cls, PublicError)
        assert cls.category() is categories[0]


def test_internal_list__names_only_existing_errors():
    assert set(INTERNAL) <= {cls.__qualname__ for cls in ERRORS}


def test_categories__each_has_its_own_status():
    statuses = [category.status for category in CATEGORIES]
    assert len(statuses) == len(set(statuses))


def test_mapper__imports_nothing_of_courier_but_its_errors():
    tree = ast.parse(Path(app.__file__).with_name("problems.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert {name for name in imported if name and name.split(".")[0] in {"app", "tasks"}} == {
        "app.errors"
    }


FIELD_ERRORS = [{"field": "input.to", "message": "Field required"}]

# (error, status, type slug, headers, extra): the answers the leaf table gave.
ANSWERS: list[tuple[CourierError, int, str, dict[str, str] | None, dict[str, Any] | None]] = [
    (MissingIdempotencyKey(), 400, "missing-idempotency-key", None, None),
    (InvalidLastEventId(), 400, "invalid-last-event-id", None, None),
    (JsonTooDeep(), 400, "json-too-deep", None, {"max_depth": 64}),
    (
        InvalidParameterText("kind", "must not contain NUL (%00)"),
        400,
        "invalid-parameter-text",
        None,
        {"errors": [{"field": "kind", "message": "must not contain NUL (%00)"}]},
    ),
    (UnstorableText(), 400, "unstorable-text", None, None),
    (
        Unauthenticated(),
        401,
        "unauthenticated",
        {"WWW-Authenticate": 'Bearer realm="courier"'},
        None,
    ),
    (InvalidStreamToken(), 401, "invalid-stream-token", None, None),
    (AdminRequired(), 403, "admin-required", None, None),
    (JobNotFound(), 404, "job-not-found", None, None),
    (StreamJobNotFound(), 404, "stream-job-not-found", None, None),
    (WebhookNotFound(), 404, "webhook-not-found", None, None),
    (IdempotencyKeyInFlight(), 409, "idempotency-key-in-flight", {"Retry-After": "1"}, None),
    (JobAlreadyFinished("succeeded"), 409, "job-already-finished", None, {"state": "succeeded"}),
    (WebhookEndpointDisabled(), 409, "webhook-endpoint-disabled", None, None),
    (JobNotReplayable(), 409, "job-not-replayable", None, None),
    (
        InvalidJobRequest("input.to: Field required", FIELD_ERRORS),
        422,
        "invalid-job-request",
        None,
        {"errors": FIELD_ERRORS},
    ),
    (IdempotencyKeyReused(), 422, "idempotency-key-reused", None, None),
    (
        TextHoldsNul("input.body"),
        422,
        "text-holds-nul",
        None,
        {"errors": [{"field": "input.body", "message": "must not contain NUL (\\u0000)"}]},
    ),
    (DestinationRefused(), 422, "destination-refused", None, None),
    (InvalidWebhookRequest(), 422, "invalid-webhook-request", None, None),
    (RateLimited(7), 429, "rate-limited", {"Retry-After": "7"}, None),
    (
        BudgetExhausted(Decimal("10.00"), Decimal("10.00"), 3600),
        429,
        "budget-exhausted",
        {"Retry-After": "3600"},
        {"budget_usd": "10.00"},
    ),
    (DatabaseUnavailable(), 503, "database-unavailable", {"Retry-After": "2"}, None),
]


@pytest.mark.parametrize(
    ("error", "status", "slug", "headers", "extra"),
    ANSWERS,
    ids=[type(answer[0]).__name__ for answer in ANSWERS],
)
def test_mapper__answers_each_error_as_before(
    error: CourierError,
    status: int,
    slug: str,
    headers: dict[str, str] | None,
    extra: dict[str, Any] | None,
):
    problem = courier_problem(error)

    assert problem.status_code == status
    assert problem.type_ == f"urn:courier:problem:{slug}"
    assert problem.title == (type(error).__doc__ or "").strip().splitlines()[0]
    assert problem.detail == str(error)
    assert problem.headers == headers
    assert problem.extra == extra


def test_mapper__error_of_no_category_is_an_internal_500():
    problem = courier_problem(NotFound())

    assert problem.status_code == 500
    assert problem.type_ == "urn:courier:problem:internal"
    assert "No row matched" not in problem.detail


def _openai_error(error: PublicError) -> tuple[int, dict[str, str], dict[str, Any]]:
    """OpenAI's error envelope, written from the description alone, as /v1/responses will."""
    described = error.describe()
    fields = (described.extra or {}).get("errors") or [{}]
    return (
        described.status,
        described.headers,
        {
            "error": {
                "message": described.detail,
                "type": f"{described.category.replace('-', '_')}_error",
                "param": fields[0].get("field"),
                "code": described.slug.replace("-", "_"),
            }
        },
    )


def test_describe__renders_another_envelope_without_a_table():
    assert _openai_error(InvalidJobRequest("input.to: Field required", FIELD_ERRORS)) == (
        422,
        {},
        {
            "error": {
                "message": "input.to: Field required",
                "type": "invalid_request_error",
                "param": "input.to",
                "code": "invalid_job_request",
            }
        },
    )
    assert _openai_error(RateLimited(3)) == (
        429,
        {"Retry-After": "3"},
        {
            "error": {
                "message": "this tenant's submission rate limit is exhausted; retry in 3 s",
                "type": "rate_limited_error",
                "param": None,
                "code": "rate_limited",
            }
        },
    )
