"""The model providers an eval can run against (``courier eval --provider``).

* ``offline``: the built-in extractive provider (no model configured).
* ``configured``: the OpenAI-compatible provider of the settings (``OPENAI_API_KEY``,
  ``OPENAI_BASE_URL``, the tier models); groundedness is then judged by its large model.
* ``obedient``: the local OpenAI-compatible fake that follows every instruction it finds
  anywhere in its prompt (evals/obedient.py, shipped with the evals, so the installed
  command has it): :func:`provider_settings` starts it in this process and points the
  settings at it, as at any OpenAI-compatible server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from app.errors import CourierError
from app.jobs.kinds import KindRegistry
from app.settings import Settings
from evals.datasets import Case
from evals.obedient import ObedientServer

PROVIDERS = ("offline", "configured", "obedient")


class ProviderUnavailable(CourierError):
    """The eval's model provider is not available."""


@dataclass(frozen=True)
class Skipped:
    """A case the run's provider cannot answer, and why (shown in the report)."""

    case: Case
    reason: str


def runnable(
    cases: Sequence[Case], kinds: KindRegistry, provider: str
) -> tuple[list[Case], list[Skipped]]:
    """The cases ``provider`` can answer, and those it cannot: offline (no model), the
    cases of a kind that only a model can answer (``Kind.needs_model``: it would fail
    every one with ``no_model_answered``, which measures nothing)."""
    kept: list[Case] = []
    skipped: list[Skipped] = []
    for case in cases:
        kind = kinds.get(case.kind)
        if provider == "offline" and kind is not None and kind.needs_model:
            reason = f"kind {case.kind} needs a model (--provider configured or obedient)"
            skipped.append(Skipped(case, reason))
        else:
            kept.append(case)
    return kept, skipped


@contextlib.contextmanager
def provider_settings(settings: Settings, provider: str) -> Iterator[Settings]:
    """``settings`` with their model provider set to ``provider``, while it runs."""
    if provider == "offline":
        settings.llm.api_key = None
        yield settings
    elif provider == "configured":
        if settings.llm.api_key is None:
            raise ProviderUnavailable(
                "--provider configured needs OPENAI_API_KEY (and OPENAI_BASE_URL for another "
                "OpenAI-compatible server); --provider offline needs neither"
            )
        yield settings
    elif provider == "obedient":
        from pydantic import SecretStr

        with ObedientServer() as server:
            # Priced as the tiers it stands in for, so costs read as they would.
            prices = settings.prices.models
            small, large = (
                prices.get(settings.llm.model_small),
                prices.get(settings.llm.model_large),
            )
            settings.llm.api_key = SecretStr("obedient")
            settings.llm.base_url = server.url + "/v1"
            settings.llm.model_small = "obedient-small"
            settings.llm.model_large = "obedient-large"
            if small is not None and large is not None:
                settings.prices.models = {
                    **prices,
                    "obedient-small": small,
                    "obedient-large": large,
                }
            yield settings
    else:
        raise ProviderUnavailable(f"unknown provider {provider!r}; one of {', '.join(PROVIDERS)}")
