"""The model providers an eval can run against (``courier eval --provider``).

* ``offline``: the built-in extractive provider (no model configured).
* ``configured``: the OpenAI-compatible provider of the settings (``OPENAI_API_KEY``,
  ``OPENAI_BASE_URL``, the tier models); groundedness is then judged by its large model.
* ``obedient``: a local OpenAI-compatible fake that follows every instruction it finds
  anywhere in its prompt (issue 17, item 6). It plugs in here: :func:`provider_settings`
  starts it and points the settings at it, as it would any OpenAI-compatible server.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

from app.errors import CourierError
from app.settings import Settings

PROVIDERS = ("offline", "configured", "obedient")

OBEDIENT_MODULE = "tests.fakes.obedient"
"""Where the obedient fake lives: a module with ``ObedientOpenAI``, a context manager
whose ``url`` is the server's base URL (as ``tests.fakes.openai_server.FakeOpenAI``)."""


class ProviderUnavailable(CourierError):
    """The eval's model provider is not available."""


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
        try:
            fake = importlib.import_module(OBEDIENT_MODULE).ObedientOpenAI
        except (ImportError, AttributeError) as exc:
            raise ProviderUnavailable(
                f"the obedient provider is not available in this build ({OBEDIENT_MODULE}."
                "ObedientOpenAI is missing)"
            ) from exc
        from pydantic import SecretStr

        with fake() as server:
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
