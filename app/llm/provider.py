"""The seam between a job kind and whatever writes its output.

A kind's handler builds a :class:`GenerationRequest` (instructions, the question,
the sources it may use, the output model) and asks a :class:`Provider` for a
:class:`Generation`. In a worker that provider is the job's model steps
(app/llm/steps.py): routing, the fallback chain (an OpenAI-compatible model, then the
built-in extractive provider, which answers without a network), repair, and the
record of every call (architecture §6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from app.llm.rules import JobRules
from app.prompts.templates import PromptCall, RenderedPrompt

OutputT = TypeVar("OutputT", bound=BaseModel)


@dataclass(frozen=True)
class Source:
    """A passage the model may use and cite, named by ``id`` (e.g. ``m0``)."""

    id: str
    text: str
    version: str | None = None
    """What the model cache keys on for this source (a document's version and the
    chunk's content); None: the SHA-256 of ``text``."""
    title: str | None = None
    """What the source's own metadata says it is about (an article's title, an e-mail's
    subject): offline, a source titled after another entity than the question's (another
    plan, order or model) ranks lower (app/llm/relevance.py)."""
    ours: bool | None = None
    """In a conversation, whether the side the output speaks for (the business) wrote
    it: offline, its later answers supersede earlier words on the same point. None: not
    a message of a conversation."""
    author: str | None = None
    """In a conversation, who wrote it (a sender's address, a speaker): offline, an
    author's later words on a point supersede their own earlier ones (a correction).
    None: unknown, or not a message."""


@dataclass(frozen=True)
class Extract:
    """A sentence the extractive provider chose from a source."""

    source_id: str
    text: str
    score: float
    quote: str | None = None
    """The passage to cite when ``text`` is not copied whole from the source: a table
    cell read under its row's label and its column's header ("Card fee (Premium):
    €18.00" cites "€18.00"); None: ``text`` is the quote."""

    @property
    def cited(self) -> str:
        return self.text if self.quote is None else self.quote


@dataclass(frozen=True, kw_only=True)
class GenerationRequest(Generic[OutputT]):
    prompt: PromptCall | None = None
    """The kind's prompt template with this job's variables; the step runner renders it
    at the version the job was given (app/prompts/templates.py)."""
    rendered: RenderedPrompt | None = None
    """``prompt`` rendered (by the step runner): the messages' text and its version."""
    prompt_version: str = ""
    """The version of the prompt the messages come from (set with ``rendered``)."""
    instructions: str = ""
    """The system message of a request without ``prompt``."""
    question: str
    about: str = ""
    """What the question is about besides its own words (a thread's subject, the account,
    the product): offline, its identifiers and names steer the choice of sentences to
    sources about the same order, plan, account or model (app/llm/relevance.py)."""
    sources: Sequence[Source]
    output_model: type[OutputT]
    compose_extractive: Callable[[Sequence[Extract]], OutputT]
    """How the extractive provider assembles the output from the extracts it chose."""
    compose_refusal: Callable[[str], OutputT] | None = None
    """The kind's ``refused`` outcome with the model's reason, for a model that refuses;
    None: the kind has no such outcome and a refusal is an invalid answer."""
    compose_conflict: Callable[[str], OutputT] | None = None
    """Offline, the kind's output when the sources answer differently for entities the
    question does not choose between (another plan's article, another region's), with
    the reason: a kind that escalates rather than guess says so here. None: the
    extractive provider answers from the best-ranked source."""
    compose_contested: Callable[[str], OutputT] | None = None
    """Offline, the kind's output when the best answer's figure is contested (another
    source as relevant states another figure of the same kind on the same point, and
    nothing says which replaced which); None: ``compose_conflict``'s, and without that
    the extractive provider leaves the contested sentences out."""
    step: str = "generate"
    """The step of the job this generation is; (job, step) names its checkpoint."""
    rules: JobRules[OutputT] | None = None
    """The kind's deterministic output rules bound to this job (app/llm/rules.py),
    checked after the schema on every answer."""
    max_output_tokens: int | None = None
    """The caller's cap on the answer's tokens, when it set one (the Responses API's
    ``max_output_tokens``); the step runner's own cap applies when lower."""
    temperature: float | None = None
    """The sampling temperature the caller asked for; None: the provider's default."""


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    in_job_totals: bool = False
    """Already added to the job's totals, call by call, by the call ledger (then the
    job's completion must not add it again)."""


@dataclass(frozen=True)
class Generation(Generic[OutputT]):
    output: OutputT
    model: str
    usage: Usage = field(default_factory=Usage)
    prompt_version: str = ""
    """The version of the prompt the answer was asked with (the job records it)."""


class Provider(Protocol):
    """Something that answers generation requests with validated, typed outputs."""

    name: str

    async def generate(self, request: GenerationRequest[OutputT]) -> Generation[OutputT]: ...
