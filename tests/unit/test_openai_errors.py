"""The real ``openai`` SDK, pointed at a local fake server, fails in each way a
provider can; each failure becomes a transient or permanent provider error with
its code, status and Retry-After, and never repeats the provider's message."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import openai
import pytest

from app.llm.errors import PermanentProviderError, ProviderError, TransientProviderError
from app.llm.openai_client import openai_client
from app.llm.openai_errors import (
    MAX_RETRY_AFTER_SECONDS,
    calling_provider,
    provider_error,
    retry_after,
)
from tests.fakes.openai_server import (
    SECRET_MESSAGE,
    FakeOpenAI,
    Reply,
    completion,
    dropped,
    error,
    malformed,
    slow,
)

PROMPT = "SECRET-PROMPT-TEXT: please summarise the attached contract"


async def _failure(fake: FakeOpenAI, client: openai.AsyncOpenAI | None = None) -> ProviderError:
    """The provider error raised by one chat completion against ``fake``."""
    async with client or openai_client(base_url=fake.url + "/v1", api_key="test", timeout=5) as sdk:
        with pytest.raises(ProviderError) as raised:
            with calling_provider():
                await sdk.chat.completions.create(
                    model="fake-model", messages=[{"role": "user", "content": PROMPT}]
                )
    failure = raised.value
    assert isinstance(
        failure.__cause__, (openai.APIError, json.JSONDecodeError)
    )  # chained for the logs
    assert (
        "SECRET" not in str(failure)
        and "SECRET" not in repr(failure)
        and "SECRET" not in failure.code
    )
    return failure


@pytest.mark.parametrize(
    ("reply", "code", "status", "retry_after_seconds"),
    [
        (error(429, headers={"Retry-After": "2"}), "rate_limited", 429, 2.0),
        (error(429, headers={"Retry-After": "0.25"}), "rate_limited", 429, 0.25),
        (
            error(429, headers={"retry-after-ms": "1500", "Retry-After": "9"}),
            "rate_limited",
            429,
            1.5,
        ),
        (error(429), "rate_limited", 429, None),
        (error(429, headers={"Retry-After": "soon"}), "rate_limited", 429, None),
        (error(500), "provider_unavailable", 500, None),
        (error(502), "provider_unavailable", 502, None),
        (error(503, headers={"Retry-After": "7"}), "provider_unavailable", 503, 7.0),
        (error(408), "provider_timeout", 408, None),
        (error(409, headers={"Retry-After": "1"}), "provider_conflict", 409, 1.0),
    ],
    ids=lambda value: value.status if isinstance(value, Reply) else None,
)
async def test_status__retryable_ones_are_transient_with_retry_after(
    fake_openai, reply, code, status, retry_after_seconds
):
    fake_openai.script(reply)
    failure = await _failure(fake_openai)
    assert type(failure) is TransientProviderError
    assert (failure.code, failure.status, failure.retry_after) == (
        code,
        status,
        retry_after_seconds,
    )
    assert SECRET_MESSAGE in str(failure.__cause__)  # the SDK's error said it; ours does not


async def test_status__retry_after_as_an_http_date_is_the_seconds_until_then(fake_openai):
    fake_openai.script(
        error(
            429,
            headers={
                "Retry-After": format_datetime(
                    datetime.now(UTC) + timedelta(seconds=120), usegmt=True
                )
            },
        )
    )
    failure = await _failure(fake_openai)
    assert isinstance(failure, TransientProviderError) and failure.code == "rate_limited"
    assert failure.retry_after is not None and 115 <= failure.retry_after <= 120


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "invalid_request"),
        (401, "provider_auth_failed"),
        (403, "provider_forbidden"),
        (404, "model_not_found"),
        (422, "invalid_request"),
        (413, "provider_rejected"),
    ],
)
async def test_status__other_4xx_are_permanent_with_their_code(fake_openai, status, code):
    fake_openai.script(error(status, headers={"Retry-After": "5"}))
    failure = await _failure(fake_openai)
    assert type(failure) is PermanentProviderError
    assert (failure.code, failure.status) == (code, status)
    assert SECRET_MESSAGE in str(failure.__cause__)
    assert str(failure) == (
        "The model provider refused the request; sending it again will not help: "
        f"{code} (HTTP {status})"
    )


async def test_timeout__a_slow_answer_is_a_transient_provider_timeout(fake_openai):
    fake_openai.script(slow(5))
    failure = await _failure(
        fake_openai, openai_client(base_url=fake_openai.url + "/v1", api_key="test", timeout=0.3)
    )
    assert type(failure) is TransientProviderError
    assert (failure.code, failure.status, failure.retry_after) == ("provider_timeout", None, None)
    assert isinstance(failure.__cause__, openai.APITimeoutError)


async def test_connection__dropped_without_an_answer_is_transient_provider_unreachable(fake_openai):
    fake_openai.script(dropped())
    failure = await _failure(fake_openai)
    assert type(failure) is TransientProviderError
    assert (failure.code, failure.status) == ("provider_unreachable", None)


async def test_connection__refused_is_transient_provider_unreachable():
    with FakeOpenAI() as gone:
        url = gone.url
    async with openai_client(base_url=url + "/v1", api_key="test", timeout=5) as client:
        with pytest.raises(TransientProviderError) as raised:
            with calling_provider():
                await client.chat.completions.create(
                    model="fake-model", messages=[{"role": "user", "content": "x"}]
                )
    assert raised.value.code == "provider_unreachable"


@pytest.mark.parametrize("strict", [True, False])
async def test_bad_response__malformed_json_is_transient_provider_bad_response(fake_openai, strict):
    # The SDK lets this escape as json.JSONDecodeError, whatever its validation setting.
    fake_openai.script(malformed())
    client = openai.AsyncOpenAI(
        base_url=fake_openai.url + "/v1",
        api_key="test",
        max_retries=0,
        timeout=5,
        _strict_response_validation=strict,
    )
    failure = await _failure(fake_openai, client)
    assert type(failure) is TransientProviderError
    assert (failure.code, failure.status) == ("provider_bad_response", None)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"<html>502 from a proxy</html>", headers={"Content-Type": "text/html"}),
        Reply(body={"choices": "not a list"}),
    ],
    ids=["not-json", "wrong-shape"],
)
async def test_bad_response__an_answer_that_is_not_a_completion_is_transient(fake_openai, reply):
    fake_openai.script(reply)
    failure = await _failure(fake_openai)
    assert type(failure) is TransientProviderError
    assert (failure.code, failure.status) == ("provider_bad_response", 200)
    assert isinstance(failure.__cause__, openai.APIResponseValidationError)


async def test_success__passes_through_and_the_fake_records_the_request(fake_openai):
    fake_openai.script(completion("hello back"))
    async with openai_client(base_url=fake_openai.url + "/v1", api_key="test", timeout=5) as client:
        with calling_provider():
            answer = await client.chat.completions.create(
                model="fake-model", messages=[{"role": "user", "content": PROMPT}]
            )
    assert answer.choices[0].message.content == "hello back"
    [request] = fake_openai.requests
    assert (request.method, request.path, request.body["messages"][-1]["content"]) == (
        "POST",
        "/v1/chat/completions",
        PROMPT,
    )
    assert request.headers["authorization"] == "Bearer test"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "later"}, None),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "1e400"}, MAX_RETRY_AFTER_SECONDS),
        ({"retry-after": "86400"}, MAX_RETRY_AFTER_SECONDS),
        ({"retry-after-ms": "nonsense", "retry-after": "4"}, 4.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # already past
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 -0000"}, 0.0),
    ],
)
def test_retry_after__reads_seconds_milliseconds_and_dates_within_bounds(headers, expected):
    assert retry_after(headers) == expected


def test_unknown_api_error__is_transient_provider_unavailable():
    failure = provider_error(
        openai.APIError(SECRET_MESSAGE, httpx2.Request("POST", "http://x/v1"), body=None)
    )
    assert type(failure) is TransientProviderError
    assert (failure.code, failure.status) == ("provider_unavailable", None) and "SECRET" not in str(
        failure
    )
