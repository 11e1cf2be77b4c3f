"""A kind's deterministic output rules: what the output schema cannot say.

Checked after the schema, on every answer (app/llm/openai_provider.py; the
extractive provider's too): length limits, allowed values, citations naming only
the sources the job was given, extracted spans that occur in the document,
confidences in range. A broken rule makes the answer invalid, like a schema error:
the step runner sends the problems back for one repair, then fails the job with
``invalid_model_output`` (app/llm/steps.py). A kind may instead say what to drop
from an answer that still breaks its rules after the repair (``prune``: a tag
outside the taxonomy is removed, never returned); the pruned answer must pass.

A check is a function ``check(job_input, output) -> Iterable[str]`` yielding each
problem in words a model can act on; problems name positions (``tags[2]``), not the
values the model sent. The helpers below cover the common rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

InputT = TypeVar("InputT")
OutputT = TypeVar("OutputT", bound=BaseModel)

Check = Callable[[InputT, OutputT], Iterable[str]]


@dataclass(frozen=True)
class Rules(Generic[InputT, OutputT]):
    """A kind's rules: its checks and, optionally, how to prune a still-broken answer."""

    checks: Sequence[Check[InputT, OutputT]]
    prune: Callable[[InputT, OutputT], OutputT] | None = None

    def bind(self, job: InputT) -> JobRules[OutputT]:
        """The rules as one job's answers are checked against them."""
        return JobRules(self, job)

    def problems(self, job: InputT, output: OutputT) -> list[str]:
        return [problem for check in self.checks for problem in check(job, output)]


@dataclass(frozen=True)
class JobRules(Generic[OutputT]):
    rules: Rules[Any, OutputT]
    job: Any

    def problems(self, output: OutputT) -> list[str]:
        """Every broken rule of ``output``; empty when it keeps them all."""
        return self.rules.problems(self.job, output)

    def pruned(self, output: OutputT) -> OutputT | None:
        """``output`` with what breaks the rules dropped, if the kind prunes and the
        pruned answer keeps every rule; None otherwise."""
        if self.rules.prune is None:
            return None
        pruned = self.rules.prune(self.job, output)
        return None if self.problems(pruned) else pruned


def describe(problems: Sequence[str]) -> str:
    """The problems as one sentence for the repair prompt."""
    return "it breaks the kind's rules: " + "; ".join(problems)


# Helpers for common checks: each yields problems for ``field`` (a dotted path).


def unknown_names(field: str, names: Sequence[str], allowed: Collection[str]) -> Iterator[str]:
    """Each of ``names`` that is not one of ``allowed`` (citations of sources not given,
    tags outside a taxonomy, labels outside a policy)."""
    for index, name in enumerate(names):
        if name not in allowed:
            yield f"{field}[{index}]: not one of the allowed values ({_listed(allowed)})"


def too_long(field: str, text: str, limit: int) -> Iterator[str]:
    if len(text) > limit:
        yield f"{field}: {len(text)} characters, at most {limit} allowed"


def out_of_range(
    field: str, values: Sequence[float], low: float = 0.0, high: float = 1.0
) -> Iterator[str]:
    for index, value in enumerate(values):
        if not low <= value <= high:
            yield f"{field}[{index}]: must be between {low} and {high}"


def not_in_text(field: str, span: str, text: str) -> Iterator[str]:
    """``span`` does not occur in ``text`` (whitespace- and case-insensitive): quotes
    and extracted values must be copied, not paraphrased."""
    if " ".join(span.split()).casefold() not in " ".join(text.split()).casefold():
        yield f"{field}: not found word for word in the given text"


def _listed(allowed: Collection[str], limit: int = 30) -> str:
    names = sorted(allowed)
    shown = ", ".join(names[:limit])
    return shown + (f", and {len(names) - limit} more" if len(names) > limit else "")
