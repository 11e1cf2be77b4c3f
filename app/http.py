"""The Litestar application: ``create_app(settings, kinds)``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, cast

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, Schema, SecurityScheme
from pydantic import BaseModel, RootModel

from app import metrics
from app.client_input import CourierRequest, refuse_unstorable_parameters
from app.console.controllers import console_router
from app.db import Database, create_pool
from app.delivery.controllers import (
    JobDeliveryController,
    TenantEventController,
    WebhookController,
    watch_page,
)
from app.delivery.hub import EventHub
from app.delivery.links import SECRETS_CHANNEL, StreamLinks
from app.delivery.sse import EventStreams, StreamLimits
from app.delivery.ssrf import DestinationGuard
from app.delivery.tokens import StreamTokens
from app.delivery.webhooks import WebhookService
from app.jobs.controllers import create_job_controller
from app.jobs.kinds import KindRegistry
from app.jobs.queue import JobQueue, create_queue_app
from app.jobs.schemas import kind_schema_name
from app.jobs.service import JobService
from app.keys.cache import CHANNEL as KEYS_CHANGED_CHANNEL
from app.keys.cache import KeyCache
from app.keys.service import KeyService
from app.problems import problem_details_plugin
from app.prompts.controllers import PromptController
from app.prompts.experiments import PromptPolicies
from app.responses.controllers import ResponseController
from app.responses.model_names import ModelNames
from app.responses.service import ResponsesService
from app.retrieval.controllers import DocumentController, SearchController
from app.retrieval.embeddings import Embedders
from app.retrieval.service import DocumentService, EmbeddingQueue, Retrieval, SearchTuning
from app.review.controllers import ReviewController
from app.review.service import ReviewService
from app.routing_errors import ROUTING_ERRORS
from app.settings import Settings
from app.tenants.admission import Admission
from app.tenants.budgets import BudgetService
from app.tenants.controllers import UsageController

log = logging.getLogger("courier.http")


@dataclass(frozen=True)
class Services:
    db: Database
    jobs: JobService
    keys: KeyService
    webhooks: WebhookService
    budgets: BudgetService
    prompt_policies: PromptPolicies
    reviews: ReviewService
    streams: EventStreams
    stream_tokens: StreamTokens
    stream_links: StreamLinks
    responses: ResponsesService
    base_url: str
    documents: DocumentService
    retrieval: Retrieval


@get("/healthz", operation_id="Health", tags=["operations"], include_in_schema=True)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings, kinds: KindRegistry) -> Litestar:
    """The API for ``settings`` (whose ``database.url`` must be set), accepting jobs of
    ``kinds`` (the CLI passes the real registry, tests their own)."""
    assert settings.database.url, "create_app needs settings.database.url"

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = create_pool(
            settings.database.url,  # type: ignore[arg-type]
            min_size=settings.database.pool_min_size,
            max_size=settings.database.pool_max_size,
            timeout=settings.database.pool_timeout,
        )
        # Whatever start-up opened is closed again, also when a later step fails.
        async with contextlib.AsyncExitStack() as opened:
            opened.push_async_callback(pool.close)
            await pool.open(wait=True, timeout=30)
            queue_app = create_queue_app()
            await queue_app.open_async(pool=pool)
            opened.push_async_callback(queue_app.close_async)
            app.state.services = await _services(settings, kinds, pool, queue_app, opened)
            if settings.api.metrics_port is not None:
                # Never on the public port: metrics are the operators', not a tenant's.
                queues = {kind.queue for kind in kinds.values()} | set(settings.worker.queues)
                await opened.enter_async_context(
                    metrics.serving(
                        app.state.services.db,
                        queues,
                        settings.api.metrics_host,
                        settings.api.metrics_port,
                    )
                )
            yield

    return Litestar(
        route_handlers=[
            create_job_controller(kinds),
            JobDeliveryController,
            WebhookController,
            TenantEventController,
            UsageController,
            PromptController,
            ResponseController,
            DocumentController,
            SearchController,
            ReviewController,
            watch_page,
            health,
            *console_router(),
        ],
        lifespan=[lifespan],
        state=State({"settings": settings}),
        # Courier configures logging itself (JSON lines, app/logs.py).
        logging_config=None,
        plugins=[problem_details_plugin(frozenset(kinds))],
        exception_handlers=ROUTING_ERRORS,  # type: ignore[arg-type]
        request_max_body_size=settings.api.max_body_bytes,
        # Every route decodes bodies and checks parameters the same way (app/client_input.py).
        request_class=CourierRequest,
        before_request=refuse_unstorable_parameters,
        openapi_config=OpenAPIConfig(
            title="Courier",
            version="0.1.0",
            description=(
                "Long LLM jobs, run asynchronously on PostgreSQL, each result delivered exactly "
                "once."
            ),
            components=Components(
                security_schemes={"BearerAuth": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        on_startup=[
            _forbid_unknown_fields_in_openapi,
            _document_root_models_as_their_root,
            partial(_document_each_kinds_result, kinds),
        ],
    )


def _forbid_unknown_fields_in_openapi(app: Litestar) -> None:
    # Litestar's schema generator ignores pydantic's extra="forbid"; say it in the
    # document so clients and fuzzers know unknown fields are refused (422).
    forbidding = {
        model.__name__
        for model in _pydantic_models()
        if model.model_config.get("extra") == "forbid"
    }
    for name, schema in (app.openapi_schema.components.schemas or {}).items():
        if name in forbidding:
            schema.additional_properties = False


def _document_root_models_as_their_root(app: Litestar) -> None:
    # Litestar documents a pydantic RootModel as an object with a "root" member, but on
    # the wire it is its root: the intake body of several kinds is one of its variants.
    roots = {model.__name__ for model in _pydantic_models() if issubclass(model, RootModel)}
    schemas = app.openapi_schema.components.schemas or {}
    for name in roots & set(schemas):
        root = (schemas[name].properties or {}).get("root")
        if isinstance(root, Schema):
            schemas[name] = root


def _document_each_kinds_result(kinds: KindRegistry, app: Litestar) -> None:
    # A job's result is its kind's output model: each is listed as `<Kind>Result`, so a
    # client reads the shape of what it asked for. `Job.result` itself stays an object
    # (one response model serves every kind), pointing at them in its description.
    schemas = app.openapi_schema.components.schemas
    if schemas is None:
        return
    names = []
    for kind in kinds.values():
        name = kind_schema_name(kind.name, "Result")
        # Nested models are named after their result: two kinds may both have a "Citation".
        schema = kind.output_model.model_json_schema(
            ref_template="#/components/schemas/" + name + "_{model}"
        )
        # pydantic's JSON schema goes in as it is: the document serialises a dict unchanged.
        for nested, definition in schema.pop("$defs", {}).items():
            schemas[f"{name}_{nested}"] = cast(Schema, definition)
        schemas[name] = cast(Schema, schema)
        names.append(f"{kind.name}: {name}")
    job = schemas.get("Job")
    result = (job.properties or {}).get("result") if isinstance(job, Schema) else None
    if isinstance(result, Schema):
        result.description = (
            "The output of the job's kind (null until it succeeds, when withheld, or after "
            "retention); its schema per kind: " + ", ".join(names) + "."
        )


def _pydantic_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    pending = [BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found


async def _services(
    settings: Settings,
    kinds: KindRegistry,
    pool: Any,
    queue_app: Any,
    opened: contextlib.AsyncExitStack,
) -> Services:
    """The API's services, built on an open pool; what they start is registered on ``opened``."""
    db = Database(pool)
    await db.log_session_role(log, "api")

    delivery = settings.delivery
    guard = DestinationGuard(
        allow_http=delivery.allow_http,
        allow_list=delivery.ssrf_allow_list,
        resolve_timeout_seconds=delivery.resolve_timeout_seconds,
    )
    stream_links = await StreamLinks.load(db, delivery)
    stream_tokens = stream_links.tokens
    hub = EventHub(settings.database.url, db)  # type: ignore[arg-type]
    # Registers for key revocations on the hub, which must happen before it starts.
    streams = EventStreams(
        db,
        hub,
        heartbeat_seconds=delivery.sse_heartbeat_seconds,
        retry_ms=delivery.sse_retry_ms,
        limits=StreamLimits(
            streams=delivery.sse_max_streams,
            per_tenant=delivery.sse_max_streams_per_tenant,
            tenant_wide_per_tenant=delivery.sse_max_tenant_streams_per_tenant,
            retry_after_seconds=delivery.sse_busy_retry_after_seconds,
        ),
    )
    hub.forward(SECRETS_CHANNEL, stream_links.reload_soon, stream_links.reload_soon)
    key_cache = KeyCache(hub.listener.connected, ttl_seconds=settings.api.key_cache_seconds)
    hub.forward(KEYS_CHANGED_CHANNEL, key_cache.changed, key_cache.clear)
    await hub.start()
    opened.push_async_callback(hub.stop)
    base_url = (settings.api.public_url or "").rstrip("/")
    budgets = BudgetService(db)
    embedders = Embedders.from_settings(settings)
    opened.push_async_callback(embedders.close)
    tuning = settings.retrieval
    retrieval = Retrieval(
        db,
        embedders,
        SearchTuning(
            ef_search=tuning.ef_search,
            max_scan_tuples=tuning.max_scan_tuples,
            candidates=tuning.candidates,
            exact_limit=tuning.exact_limit,
            shortlist_above=tuning.shortlist_above,
            rerank=tuning.rerank,
        ),
    )
    jobs = JobService(
        db,
        JobQueue(queue_app),
        kinds,
        max_expires_in=timedelta(seconds=settings.max_expires_in_seconds),
        idempotency_wait=timedelta(seconds=settings.api.idempotency_wait_seconds),
        base_url=base_url,
        stream_tokens=stream_tokens,
        stream_token_margin=timedelta(seconds=delivery.stream_token_margin_seconds),
        callback_guard=guard,
        admission=Admission(settings.rate_limit, budgets=True),
        citations=retrieval,
    )
    return Services(
        db=db,
        jobs=jobs,
        keys=KeyService(db, key_cache),
        webhooks=WebhookService(
            db, guard, rotation_overlap=timedelta(seconds=delivery.secret_rotation_overlap_seconds)
        ),
        budgets=budgets,
        prompt_policies=PromptPolicies(db, kinds),
        reviews=ReviewService(db, kinds, base_url=base_url, citations=retrieval),
        streams=streams,
        stream_tokens=stream_tokens,
        stream_links=stream_links,
        responses=ResponsesService(
            db,
            jobs,
            streams,
            ModelNames.configured(
                small=settings.llm.model_small,
                large=settings.llm.model_large,
                aliases=settings.responses.model_aliases,
            ),
            sync_wait_seconds=settings.responses.sync_wait_seconds,
        ),
        base_url=base_url,
        documents=DocumentService(
            db,
            EmbeddingQueue(queue_app),
            chunk_words=tuning.chunk_words,
            chunk_overlap_words=tuning.chunk_overlap_words,
        ),
        retrieval=retrieval,
    )
