"""What a job kind is. A registry of kinds is passed in (``create_app(settings, kinds)``,
``run_worker(settings, kinds)``): the CLI wires the real one (``tasks/kinds``), tests
their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from app.llm.provider import Provider, Usage
from app.llm.routing import Tier
from app.prompts.templates import KindPrompts
from app.review.policy import ReviewPolicy


@dataclass(frozen=True)
class KindResult:
    """What a handler returns: the typed output and how it was made."""

    output: BaseModel
    model: str
    prompt_version: str
    usage: Usage = field(default_factory=Usage)


Handler = Callable[[Any, Provider], Awaitable[KindResult]]
"""``handler(job_input, provider)``: in a worker the provider is the job's model steps
(app/llm/steps.py), which route, fall back, repair and record each call."""


@dataclass(frozen=True)
class Kind:
    """One kind of job: its input and output models, its handler, its deadline and
    its retry budget."""

    name: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    handler: Handler
    default_deadline: timedelta
    queue: str = "jobs"
    max_attempts: int = 5
    """Executions a job may start before a transient error fails it (``retries_exhausted``)."""
    prompt_version: str | None = None
    """The current prompt version (``prompts.current``); a backfill replays each original
    once per version."""
    prompts: KindPrompts | None = None
    """The kind's prompt templates (app/prompts/templates.py): the versions a tenant can
    be pinned to or split between (app/prompts/experiments.py)."""
    tier: Tier = "small"
    """The model tier its steps start at (app/llm/routing.py), unless a policy moves the job."""
    high_risk: Callable[[Any], bool] | None = None
    """Whether a job's input is high-risk (then it starts at the large tier, and its
    output is reviewed unless ``review.high_risk_input`` is off)."""
    review: ReviewPolicy | None = field(default_factory=ReviewPolicy)
    """Which finished outputs wait for a reviewer (app/review/policy.py), besides what
    the safety checks stop (app/safety/: a suspected injection, an answer that still
    broke an output guard after the stricter regeneration), which a kind with review
    always holds. None: the kind has no review; a guard-breaking answer is refused
    instead (the kind's refused outcome, or the job fails with ``unsafe_output``), and a
    flagged input with a clean answer is delivered, its flags recorded."""
    cache: bool = True
    """Whether identical requests of this kind may be answered from the exact-match model
    cache (app/llm/cache_key.py); off for kinds whose answers must be fresh each time."""
    needs_model: bool = False
    """Whether only a model can answer it: without one (no provider configured, or every
    model of the chain failed) the job fails with ``no_model_answered`` rather than
    pretend; ``courier eval --provider offline`` skips its cases, saying so."""


KindRegistry = Mapping[str, Kind]
