"""Settings, read from the environment when :func:`load_settings` is called.

Nothing reads the environment at import time: the CLI builds a :class:`Settings`
and passes it down (``create_app(settings, kinds)``, ``run_worker(settings, kinds)``), and
tests build their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.llm.prices import DEFAULT_PRICES, ModelPrice


class DatabaseSettings(BaseSettings):
    """Where PostgreSQL is and how Courier holds connections to it."""

    model_config = SettingsConfigDict(env_prefix="COURIER_DB_", extra="ignore")

    url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "COURIER_DB_URL")
    )
    """PostgreSQL URL (env ``DATABASE_URL``). Unset: Courier starts its embedded PostgreSQL."""
    pool_min_size: int = Field(default=2, ge=1)
    """Connections kept open per process (env ``COURIER_DB_POOL_MIN_SIZE``)."""
    pool_max_size: int = Field(default=20, ge=1)
    """Most connections per process (env ``COURIER_DB_POOL_MAX_SIZE``)."""
    pool_timeout: float = Field(default=5.0, gt=0)
    """Seconds to wait for a free connection before answering 503
    (env ``COURIER_DB_POOL_TIMEOUT``)."""


class ApiSettings(BaseSettings):
    """The HTTP API."""

    model_config = SettingsConfigDict(env_prefix="COURIER_API_", extra="ignore")

    host: str = "127.0.0.1"
    """Interface to listen on (env ``COURIER_API_HOST``)."""
    port: int = Field(default=8000, ge=0, le=65535)
    """TCP port (env ``COURIER_API_PORT``)."""
    public_url: str | None = None
    """Base URL clients use, for absolute links; unset: links are relative
    (env ``COURIER_API_PUBLIC_URL``)."""
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    """Largest request body in bytes; larger gets 413 (env ``COURIER_API_MAX_BODY_BYTES``)."""
    poll_after_seconds: int = Field(default=1, ge=1)
    """Retry-After in seconds on a job that is not finished
    (env ``COURIER_API_POLL_AFTER_SECONDS``)."""
    idempotency_wait_seconds: float = Field(default=5.0, gt=0)
    """How long a request waits for a concurrent one with the same Idempotency-Key before 409
    (env ``COURIER_API_IDEMPOTENCY_WAIT_SECONDS``)."""
    key_cache_seconds: float = Field(default=30.0, ge=0)
    """How long an API process answers a key it looked up from memory; a revocation (any
    change to the key) ends that at once, notified; 0: look every key up
    (env ``COURIER_API_KEY_CACHE_SECONDS``)."""
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    """TCP port where the API process serves its Prometheus metrics (``/metrics``), without
    authentication and never on the public port; unset: off (env ``COURIER_API_METRICS_PORT``)."""
    metrics_host: str = "127.0.0.1"
    """Interface the API's metrics endpoint listens on; reachable by the operators' network
    only (env ``COURIER_API_METRICS_HOST``)."""
    console_session_seconds: int = Field(default=8 * 3600, ge=60, le=30 * 86400)
    """How long a web console sign-in lasts, in seconds; revoking its API key ends it sooner
    (env ``COURIER_API_CONSOLE_SESSION_SECONDS``)."""


class WorkerSettings(BaseSettings):
    """The procrastinate worker that executes jobs."""

    model_config = SettingsConfigDict(env_prefix="COURIER_WORKER_", extra="ignore")

    concurrency: int = Field(default=32, ge=1)
    """Jobs one worker process runs at once (env ``COURIER_WORKER_CONCURRENCY``)."""
    queues: list[str] = Field(default_factory=lambda: ["jobs", "backfill"])
    """Queues this worker takes jobs from (env ``COURIER_WORKER_QUEUES``, JSON list); ``backfill``
    carries replays made by ``courier backfill`` at low priority."""
    poll_seconds: float = Field(default=2.0, gt=0)
    """Polling backstop in seconds when no notification arrives
    (env ``COURIER_WORKER_POLL_SECONDS``)."""
    name: str | None = None
    """Worker name in logs and job events (env ``COURIER_WORKER_NAME``); default host:pid."""
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    """On SIGTERM, how long running jobs may take to finish before they are given back to the
    queue for another worker (env ``COURIER_WORKER_SHUTDOWN_GRACE_SECONDS``)."""
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    """How often a worker records that it is alive (env ``COURIER_WORKER_HEARTBEAT_SECONDS``)."""
    stalled_after_seconds: float = Field(default=30.0, gt=0)
    """A worker whose heartbeat is older than this is dead; its jobs are retried
    (env ``COURIER_WORKER_STALLED_AFTER_SECONDS``)."""
    abort_poll_seconds: float = Field(default=1.0, gt=0)
    """Polling backstop for cancel requests when no notification arrives
    (env ``COURIER_WORKER_ABORT_POLL_SECONDS``)."""
    maintenance_seconds: float = Field(default=5.0, gt=0)
    """How often the expiry sweeper and the stalled-job rescuer run
    (env ``COURIER_WORKER_MAINTENANCE_SECONDS``)."""
    orphan_grace_seconds: float = Field(default=60.0, gt=0)
    """An open job with no live queue entry for this long gets a new one
    (env ``COURIER_WORKER_ORPHAN_GRACE_SECONDS``)."""
    restart_backoff_max_seconds: float = Field(default=5.0, gt=0)
    """Longest wait before restarting the worker loop after it lost the database
    (env ``COURIER_WORKER_RESTART_BACKOFF_MAX_SECONDS``)."""
    retry_base_seconds: float = Field(default=2.0, gt=0)
    """Backoff of the first retry after a transient error; doubles per attempt, with jitter
    (env ``COURIER_WORKER_RETRY_BASE_SECONDS``)."""
    retry_max_seconds: float = Field(default=300.0, gt=0)
    """Longest backoff between retries unless the provider asks for more with Retry-After
    (env ``COURIER_WORKER_RETRY_MAX_SECONDS``)."""

    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    """TCP port of the worker's Prometheus endpoint (``/metrics``); unset: off
    (env ``COURIER_WORKER_METRICS_PORT``)."""
    metrics_host: str = "0.0.0.0"
    """Interface the worker's metrics endpoint listens on (env ``COURIER_WORKER_METRICS_HOST``)."""


class DeliverySettings(BaseSettings):
    """Pushing job events out: server-sent events and webhooks."""

    model_config = SettingsConfigDict(env_prefix="COURIER_DELIVERY_", extra="ignore")

    retry_base_seconds: float = Field(default=5.0, gt=0)
    """First webhook retry delay in seconds; doubles per attempt, with jitter
    (env ``COURIER_DELIVERY_RETRY_BASE_SECONDS``)."""
    retry_max_delay_seconds: float = Field(default=4 * 3600, gt=0)
    """Longest delay between two attempts, in seconds
    (env ``COURIER_DELIVERY_RETRY_MAX_DELAY_SECONDS``)."""
    retry_window_seconds: float = Field(default=24 * 3600, gt=0)
    """How long after the event a webhook is still retried before it is marked failed, in seconds
    (env ``COURIER_DELIVERY_RETRY_WINDOW_SECONDS``)."""
    timeout_seconds: float = Field(default=10.0, gt=0)
    """Deadline of one whole webhook attempt (resolving, connecting, sending, reading the answer),
    in seconds (env ``COURIER_DELIVERY_TIMEOUT_SECONDS``)."""
    resolve_timeout_seconds: float = Field(default=2.0, gt=0)
    """How long resolving a webhook or callback host may take, in seconds; a name that does not
    resolve in time is refused for now (env ``COURIER_DELIVERY_RESOLVE_TIMEOUT_SECONDS``)."""
    allow_http: bool = False
    """Allow plain http:// webhook destinations; for development only
    (env ``COURIER_DELIVERY_ALLOW_HTTP``)."""
    ssrf_allow_list: list[str] = Field(default_factory=list)
    """Networks (CIDR) that webhooks may reach although they are not public, e.g. ["10.1.0.0/16"]
    (env ``COURIER_DELIVERY_SSRF_ALLOW_LIST``, JSON list)."""
    secret_rotation_overlap_seconds: int = Field(default=24 * 3600, ge=0)
    """After a secret rotation, how long the old secret keeps signing too, in seconds
    (env ``COURIER_DELIVERY_SECRET_ROTATION_OVERLAP_SECONDS``)."""
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    """Backstop in seconds for the outbox relay when no notification arrives (retries fall due)
    (env ``COURIER_DELIVERY_RELAY_POLL_SECONDS``)."""
    relay_concurrency: int = Field(default=32, ge=1)
    """Webhook requests one relay process has in flight
    (env ``COURIER_DELIVERY_RELAY_CONCURRENCY``)."""
    relay_in_worker: bool = True
    """Run the outbox relay inside each worker process
    (env ``COURIER_DELIVERY_RELAY_IN_WORKER``)."""
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0)
    """Seconds between comment heartbeats on an idle event stream
    (env ``COURIER_DELIVERY_SSE_HEARTBEAT_SECONDS``)."""
    sse_retry_ms: int = Field(default=1000, ge=0)
    """Reconnect delay sent to EventSource clients in the ``retry:`` field, in milliseconds
    (env ``COURIER_DELIVERY_SSE_RETRY_MS``)."""
    sse_max_streams: int = Field(default=2000, ge=1)
    """Event streams one API process keeps open at once; past it a new stream gets 503 with
    Retry-After (env ``COURIER_DELIVERY_SSE_MAX_STREAMS``)."""
    sse_max_streams_per_tenant: int = Field(default=500, ge=1)
    """Event streams (job and tenant-wide) one tenant may keep open in one API process; past it
    a new one gets 429 with Retry-After (env ``COURIER_DELIVERY_SSE_MAX_STREAMS_PER_TENANT``)."""
    sse_max_tenant_streams_per_tenant: int = Field(default=20, ge=1)
    """Tenant-wide streams (``/v1/events``, which read for themselves) one tenant may keep open
    in one API process; past it a new one gets 429 with Retry-After
    (env ``COURIER_DELIVERY_SSE_MAX_TENANT_STREAMS_PER_TENANT``)."""
    sse_busy_retry_after_seconds: int = Field(default=5, ge=1)
    """Retry-After in seconds when a stream is refused for one of the caps above
    (env ``COURIER_DELIVERY_SSE_BUSY_RETRY_AFTER_SECONDS``)."""
    stream_token_secret: str | None = None
    """Secret that signs event stream links (at least 32 characters); unset: the secrets kept in
    the database, rotated with ``courier stream-secret rotate``
    (env ``COURIER_DELIVERY_STREAM_TOKEN_SECRET``)."""
    stream_token_previous_secrets: list[str] = Field(default_factory=list)
    """Secrets that signed stream links before ``COURIER_DELIVERY_STREAM_TOKEN_SECRET`` was
    changed: links they signed keep working while they are listed (rotation with overlap)
    (env ``COURIER_DELIVERY_STREAM_TOKEN_PREVIOUS_SECRETS``, JSON list)."""
    stream_token_margin_seconds: int = Field(default=3600, ge=0)
    """A stream link stays valid this long after the job's deadline, in seconds
    (env ``COURIER_DELIVERY_STREAM_TOKEN_MARGIN_SECONDS``)."""


class RateLimitSettings(BaseSettings):
    """Per-tenant limits on job submissions (a token bucket in PostgreSQL). A tenant's own
    ``tenants.rate_limit_per_second`` / ``rate_limit_burst`` override these defaults."""

    model_config = SettingsConfigDict(env_prefix="COURIER_RATE_LIMIT_", extra="ignore")

    per_second: float = Field(default=100.0, ge=0)
    """Submissions per second a tenant may sustain; 0 turns the default limit off
    (env ``COURIER_RATE_LIMIT_PER_SECOND``)."""
    burst: int = Field(default=200, ge=1)
    """Submissions a tenant may make at once after being idle (env ``COURIER_RATE_LIMIT_BURST``)."""


class RetentionSettings(BaseSettings):
    """How long finished work is kept. A tenant's own ``tenants.retention_days`` overrides
    ``days``."""

    model_config = SettingsConfigDict(env_prefix="COURIER_RETENTION_", extra="ignore")

    days: int = Field(default=30, ge=1)
    """Days after a job finishes before its input and result are purged; the audit columns
    and events stay (env ``COURIER_RETENTION_DAYS``)."""
    queue_hours: int = Field(default=24, ge=0)
    """Hours a failed, cancelled or aborted procrastinate queue entry is kept
    (succeeded ones are deleted at once) (env ``COURIER_RETENTION_QUEUE_HOURS``)."""
    interval_seconds: float = Field(default=300.0, gt=0)
    """Seconds between two retention passes of a worker
    (env ``COURIER_RETENTION_INTERVAL_SECONDS``)."""
    batch_size: int = Field(default=1000, ge=1)
    """At most this many jobs of each tenant are purged per transaction (one statement
    covers every tenant), so a pass holds a bounded number of row locks
    (env ``COURIER_RETENTION_BATCH_SIZE``)."""
    enabled: bool = True
    """Whether workers run the retention pruner (env ``COURIER_RETENTION_ENABLED``)."""


KEYLESS_SERVER_KEY = "no-key"
"""What is sent as the API key to an ``OPENAI_BASE_URL`` given without ``OPENAI_API_KEY``."""


class LLMSettings(BaseSettings):
    """The model layer: the OpenAI-compatible provider, the model of each tier, and how
    calls to it are bounded (app/llm/). With neither an API key nor a base URL the extractive
    provider answers."""

    model_config = SettingsConfigDict(env_prefix="COURIER_LLM_", extra="ignore")

    api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    """Key of the OpenAI-compatible provider (env ``OPENAI_API_KEY``); unset with no
    ``OPENAI_BASE_URL``: no network model, the built-in extractive provider answers every
    job."""
    base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    """Base URL of an OpenAI-compatible server, e.g. http://localhost:8001/v1 for vLLM
    (env ``OPENAI_BASE_URL``); unset: OpenAI's own. Set without ``OPENAI_API_KEY``, the
    server is called without a key of its own (a placeholder: many local servers need
    none)."""
    model_small: str = Field(default="gpt-4.1-mini", validation_alias="COURIER_MODEL_SMALL")
    """Model of the small tier: extraction, classification, routine drafts
    (env ``COURIER_MODEL_SMALL``)."""
    model_large: str = Field(default="gpt-4.1", validation_alias="COURIER_MODEL_LARGE")
    """Model of the large tier: high-risk generations (env ``COURIER_MODEL_LARGE``)."""
    timeout_seconds: float = Field(default=60.0, gt=0)
    """Timeout of one model call in seconds (env ``COURIER_LLM_TIMEOUT_SECONDS``)."""
    max_concurrent_calls: int = Field(default=512, ge=1)
    """Most model calls one process has in flight to the provider; more wait their turn
    (env ``COURIER_LLM_MAX_CONCURRENT_CALLS``)."""
    max_output_tokens: int = Field(default=2048, ge=16)
    """Output-token cap sent with every call, in tokens (env ``COURIER_LLM_MAX_OUTPUT_TOKENS``)."""
    max_pause_wait_seconds: float = Field(default=60.0, ge=0)
    """How long, in seconds, a job waits in its worker for a rate-limited provider's pause to
    end; a longer pause gives the job back to the queue until then
    (env ``COURIER_LLM_MAX_PAUSE_WAIT_SECONDS``)."""
    tries_per_model: int = Field(default=2, ge=1, le=5)
    """Calls a step makes to one model that fails with a transient provider error (5xx,
    timeout, lost connection) before it falls back to the next model of its chain
    (env ``COURIER_LLM_TRIES_PER_MODEL``); one blip does not cost the job its model."""

    def provider_key(self) -> str | None:
        """The key the provider is called with; None: no network provider, the
        extractive one answers. A base URL without a key is a server that needs none
        (vLLM, Ollama, llama.cpp as they start): the SDK still wants a key, so a
        placeholder goes, never an error and never a silent fall back to extractive."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        return KEYLESS_SERVER_KEY if self.base_url else None


class PriceSettings(BaseSettings):
    """What model calls cost (``llm_calls.cost_usd``, budget reservations)."""

    model_config = SettingsConfigDict(env_prefix="COURIER_PRICES_", extra="ignore")

    models: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))
    """US dollars per million tokens of each model: input, cached input (the provider's prompt
    cache) and output (reasoning included), as a JSON object, e.g.
    {"gpt-4.1-mini": {"input_per_mtok": 0.4, "cached_input_per_mtok": 0.1,
    "output_per_mtok": 1.6}}, merged over the defaults (list prices of gpt-4.1 and
    gpt-4.1-mini, extractive free); a "*" entry prices every model not named; a worker whose
    tier models (with ``OPENAI_API_KEY`` set) have no price refuses to start
    (env ``COURIER_PRICES_MODELS``)."""

    @field_validator("models", mode="after")
    @classmethod
    def _over_defaults(cls, models: dict[str, ModelPrice]) -> dict[str, ModelPrice]:
        return {**DEFAULT_PRICES, **models}


class CacheSettings(BaseSettings):
    """The exact-match cache of model answers (per tenant, kind, input, prompt version, model,
    ACL groups and sources)."""

    model_config = SettingsConfigDict(env_prefix="COURIER_CACHE_", extra="ignore")

    ttl_seconds: int = Field(default=24 * 3600, ge=0)
    """Seconds a model answer is served from the cache; 0 turns the cache off
    (env ``COURIER_CACHE_TTL_SECONDS``)."""


class BudgetSettings(BaseSettings):
    """Per-tenant monthly model budgets (set with ``courier budget set``)."""

    model_config = SettingsConfigDict(env_prefix="COURIER_BUDGET_", extra="ignore")

    stale_reservation_seconds: int = Field(default=900, ge=1)
    """Seconds after which a call's budget reservation that was never settled (its worker
    died mid-call) stops counting against the budget; keep it above the longest call
    (env ``COURIER_BUDGET_STALE_RESERVATION_SECONDS``)."""


class ResponsesSettings(BaseSettings):
    """The OpenAI-compatible Responses API (``/v1/responses``, app/responses/)."""

    model_config = SettingsConfigDict(env_prefix="COURIER_RESPONSES_", extra="ignore")

    model_aliases: dict[str, Literal["small", "large"]] = Field(default_factory=dict)
    """More model names a request may ask for, each with the tier it runs on, as a JSON
    object, e.g. {"gpt-4o-mini": "small", "gpt-4o": "large"}; the tier models
    (``COURIER_MODEL_SMALL``, ``COURIER_MODEL_LARGE``), ``courier-small`` and
    ``courier-large`` are always accepted, any other name is refused with 400
    (env ``COURIER_RESPONSES_MODEL_ALIASES``)."""
    sync_wait_seconds: float = Field(default=60.0, ge=0, le=3600)
    """How long, in seconds, a request without ``background`` (and without ``stream``) waits
    for its response to finish; past that it is answered as it stands (queued or
    in_progress) and may be polled (env ``COURIER_RESPONSES_SYNC_WAIT_SECONDS``)."""


class RetrievalSettings(BaseSettings):
    """Documents, embeddings and search (app/retrieval/)."""

    model_config = SettingsConfigDict(env_prefix="COURIER_RETRIEVAL_", extra="ignore")

    embedding_model: str | None = Field(default=None, validation_alias="COURIER_EMBEDDING_MODEL")
    """Embedding model of the OpenAI-compatible provider (``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL``), asked for 384 dimensions, e.g. text-embedding-3-small
    (env ``COURIER_EMBEDDING_MODEL``); unset: the built-in offline embedder
    (``hashed-ngrams-384``). A change re-embeds every chunk in the background; search
    keeps the previous model until that is complete."""
    chunk_words: int = Field(default=160, ge=16, le=2000)
    """Words per chunk (env ``COURIER_RETRIEVAL_CHUNK_WORDS``)."""
    chunk_overlap_words: int = Field(default=32, ge=0, le=500)
    """Words a chunk shares with the one before it
    (env ``COURIER_RETRIEVAL_CHUNK_OVERLAP_WORDS``)."""
    ef_search: int = Field(default=400, ge=10, le=1000)
    """HNSW candidate list size per search (env ``COURIER_RETRIEVAL_EF_SEARCH``)."""
    max_scan_tuples: int = Field(default=20_000, ge=100)
    """Most index tuples an iterative HNSW scan visits to fill a filtered top k
    (env ``COURIER_RETRIEVAL_MAX_SCAN_TUPLES``)."""
    exact_limit: int = Field(default=50_000, ge=0)
    """A reader who may see at most this many embeddings is searched exactly, through
    the ACL index; beyond, through HNSW (env ``COURIER_RETRIEVAL_EXACT_LIMIT``;
    bench/RESULTS.md)."""
    shortlist_above: int = Field(default=10_000, ge=0)
    """On the exact path, a reader who may see more embeddings than this gets a shortlist
    by code, ranked by true distance, instead of a scan of them all; for the offline
    embedder's model only, a dense model is always scanned
    (env ``COURIER_RETRIEVAL_SHORTLIST_ABOVE``; docs/retrieval-dba.md)."""
    rerank: int = Field(default=700, ge=1, le=100_000)
    """The shortlist's size: the visible embeddings nearest by code that are ranked by
    their true distance (env ``COURIER_RETRIEVAL_RERANK``; bench/RESULTS.md measures
    recall)."""
    candidates: int = Field(default=40, ge=1, le=1000)
    """Candidates each of vector and full-text search brings to the rank fusion
    (env ``COURIER_RETRIEVAL_CANDIDATES``)."""
    embed_batch: int = Field(default=64, ge=1, le=2048)
    """Chunks embedded per call of the embedder (env ``COURIER_RETRIEVAL_EMBED_BATCH``)."""


class SafetySettings(BaseSettings):
    """Output guards (app/safety/guards.py)."""

    model_config = SettingsConfigDict(env_prefix="COURIER_SAFETY_", extra="ignore")

    contact_domains: list[str] = Field(default_factory=list)
    """Domains whose links and e-mail addresses an answer may give although no trusted
    input field holds them (their subdomains too): the company's own sites and mail
    domains, e.g. ["shop.example", "help.shop.example"]; every other contact must come
    from a trusted input field (app/safety/trust.py)
    (env ``COURIER_SAFETY_CONTACT_DOMAINS``, JSON list)."""


class Settings(BaseSettings):
    """All of Courier's settings."""

    model_config = SettingsConfigDict(env_prefix="COURIER_", extra="ignore")

    data_dir: Path = Path(".courier")
    """Where the embedded PostgreSQL keeps its data (``<data_dir>/pgdata``)
    (env ``COURIER_DATA_DIR``)."""
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    prices: PriceSettings = Field(default_factory=PriceSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    responses: ResponsesSettings = Field(default_factory=ResponsesSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    safety: SafetySettings = Field(default_factory=SafetySettings)
    log_level: str = "INFO"
    """Log level (env ``COURIER_LOG_LEVEL``)."""
    max_expires_in_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    """Longest deadline a request may ask for with ``expires_in``
    (env ``COURIER_MAX_EXPIRES_IN_SECONDS``)."""
    review_window_seconds: int = Field(default=24 * 3600, ge=60)
    """How long a reviewer has for a held job, whatever its kind: its deadline moves to
    at least now + this when it is held (a kind's ``ReviewPolicy.window`` may ask for
    more) (env ``COURIER_REVIEW_WINDOW_SECONDS``)."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. from CLI flags)."""
    return Settings(**overrides)  # type: ignore[arg-type]
