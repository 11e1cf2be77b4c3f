"""Which model provider the settings configure: OpenAI with a key, a compatible server at
a base URL (with or without a key of its own), or none (the extractive provider)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.settings import KEYLESS_SERVER_KEY, LLMSettings, Settings
from tasks.worker import model_provider


@pytest.mark.parametrize(
    ("api_key", "base_url", "sent"),
    [
        (None, None, None),
        ("sk-test", None, "sk-test"),
        ("sk-test", "http://localhost:8001/v1", "sk-test"),
        (None, "http://localhost:8001/v1", KEYLESS_SERVER_KEY),
    ],
    ids=["nothing", "openai", "compatible_server_with_a_key", "keyless_compatible_server"],
)
def test_provider_key__a_base_url_alone_is_a_server_that_needs_no_key(api_key, base_url, sent):
    llm = LLMSettings(
        OPENAI_API_KEY=SecretStr(api_key) if api_key else None, OPENAI_BASE_URL=base_url
    )

    assert llm.provider_key() == sent


async def test_model_provider__a_base_url_without_a_key_is_called_not_ignored():
    settings = Settings(llm=LLMSettings(OPENAI_API_KEY=None, OPENAI_BASE_URL="http://h:1/v1"))

    provider = model_provider(settings)

    assert provider is not None
    try:
        assert provider.name == "openai:http://h:1/v1"
        assert provider.client.api_key == KEYLESS_SERVER_KEY
    finally:
        await provider.close()


def test_model_provider__nothing_configured_leaves_the_extractive_provider():
    assert model_provider(Settings(llm=LLMSettings(OPENAI_API_KEY=None))) is None
