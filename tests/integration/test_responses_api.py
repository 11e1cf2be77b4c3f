"""The Responses API driven only by the real ``openai`` SDK pointed at Courier
(``responses_client``), a real worker behind it whose provider is the fake OpenAI
server: background create and poll, streams dropped and resumed with
``starting_after``, cancel (queued and running), ``responses.parse``, webhooks
verified with ``client.webhooks.unwrap``, and what is refused."""

from __future__ import annotations

import threading

import httpx
import openai
import pytest
from pydantic import BaseModel

from tests.fakes.openai_server import answer, held
from tests.support.waiting import wait_for

LONG = "Courier keeps every response in PostgreSQL. " * 6
"""An answer long enough for several text deltas (app/responses/objects.py: DELTA_CHARS)."""


class CityInfo(BaseModel):
    name: str
    population: int


async def _until_status(client: openai.AsyncOpenAI, response_id: str, *statuses: str):
    async def reached():
        response = await client.responses.retrieve(response_id)
        return response if response.status in statuses else None

    return await wait_for(reached, what=f"the response to be {' or '.join(statuses)}")


async def _events(stream) -> list:
    return [event async for event in stream]


async def test_background__created_queued_then_polled_to_completion_with_usage(
    responses_client, model_worker, fake_openai
):
    created = await responses_client.responses.create(
        model="fake-small",
        input="Say hello to the team.",
        instructions="Answer in one short sentence.",
        metadata={"ticket": "T-42"},
        background=True,
    )

    assert created.id.startswith("resp_") and created.status == "queued"
    assert created.background is True and created.metadata == {"ticket": "T-42"}
    done = await _until_status(responses_client, created.id, "completed", "failed")
    assert done.status == "completed", done.error
    assert done.output_text == "fake text"  # the fake's answer to the text schema
    assert done.model == "fake-small" and done.instructions == "Answer in one short sentence."
    usage = done.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (7, 3, 10)
    assert usage.input_tokens_details.cached_tokens == 2
    assert usage.output_tokens_details.reasoning_tokens == 1
    # What the model got: Courier's system prompt, the instructions as the developer's.
    messages = fake_openai.requests[-1].body["messages"]
    assert "Answer in one short sentence." in messages[1]["content"]
    assert "Answer in one short sentence." not in messages[0]["content"]


async def test_background__same_idempotency_key_gives_the_same_response(responses_client):
    first, again = [
        await responses_client.responses.create(
            model="fake-small",
            input="Once only.",
            background=True,
            extra_headers={"Idempotency-Key": "responses-retry-1"},
        )
        for _ in range(2)
    ]

    assert first.id == again.id


async def test_stream__dropped_and_resumed_with_starting_after_sees_every_event_once(
    responses_client, model_worker, fake_openai
):
    gate = threading.Event()
    fake_openai.script(held(gate, answer({"text": LONG})))
    created = await responses_client.responses.create(
        model="fake-small", input="Tell me about Courier.", background=True
    )
    seen = []
    stream = await responses_client.responses.retrieve(created.id, stream=True)
    async for event in stream:
        seen.append(event)
        if event.type == "response.in_progress":
            break
    await stream.close()  # the connection drops while the model is still answering
    gate.set()

    resumed = await _events(
        await responses_client.responses.retrieve(
            created.id, stream=True, starting_after=seen[-1].sequence_number
        )
    )

    events = seen + resumed
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert [e.type for e in events[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert events[-1].type == "response.completed"
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 1 and "".join(deltas) == LONG
    assert events[-1].response.output_text == LONG


async def test_stream__replayable_after_the_end_through_the_sdk_stream_helper(
    responses_client, model_worker, fake_openai
):
    fake_openai.script(answer({"text": LONG}))
    events = await _events(
        await responses_client.responses.create(
            model="fake-small", input="Tell me about Courier.", stream=True
        )
    )
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    last = events[-1].sequence_number

    async with responses_client.responses.stream(
        response_id=events[0].response.id, starting_after=3
    ) as stream:
        later = [event async for event in stream]
        final = await stream.get_final_response()

    assert [e.sequence_number for e in later] == list(range(4, last + 1))
    assert final.output_text == LONG
    replay = await _events(
        await responses_client.responses.retrieve(events[0].response.id, stream=True)
    )
    assert [(e.sequence_number, e.type) for e in replay] == [
        (e.sequence_number, e.type) for e in events
    ]


async def test_cancel__a_queued_response_is_cancelled_and_cancelling_again_answers_the_same(
    responses_client,
):
    created = await responses_client.responses.create(
        model="fake-small", input="Nobody runs this.", background=True
    )

    cancelled = await responses_client.responses.cancel(created.id)
    again = await responses_client.responses.cancel(created.id)

    assert (cancelled.status, again.status) == ("cancelled", "cancelled")
    assert (await responses_client.responses.retrieve(created.id)).status == "cancelled"
    events = await _events(await responses_client.responses.retrieve(created.id, stream=True))
    assert [e.type for e in events] == [
        "response.created",
        "response.queued",
        "response.cancelled",
    ]


async def test_cancel__a_running_response_is_cancelled_and_its_late_answer_dropped(
    responses_client, model_worker, fake_openai
):
    gate = threading.Event()
    fake_openai.script(held(gate))
    created = await responses_client.responses.create(
        model="fake-small", input="Take your time.", background=True
    )
    await _until_status(responses_client, created.id, "in_progress")

    async def in_flight() -> bool:
        return len(fake_openai.requests) == 1

    await wait_for(in_flight, what="the model call to be in flight")

    cancelled = await responses_client.responses.cancel(created.id)
    gate.set()

    assert cancelled.status == "cancelled"
    events = await _events(await responses_client.responses.retrieve(created.id, stream=True))
    assert events[-1].type == "response.cancelled"
    final = await responses_client.responses.retrieve(created.id)
    assert (final.status, final.output) == ("cancelled", [])


async def test_parse__structured_output_validated_against_the_callers_schema(
    responses_client, model_worker, fake_openai
):
    fake_openai.script(answer({"name": "Lyon", "population": 522_250}))

    parsed = await responses_client.responses.parse(
        model="fake-small", input="Which city is this about?", text_format=CityInfo
    )

    assert parsed.status == "completed"
    assert parsed.output_parsed == CityInfo(name="Lyon", population=522_250)
    sent = fake_openai.requests[-1].body["response_format"]["json_schema"]
    assert sent["name"] == "CityInfo" and sent["schema"]["required"] == ["name", "population"]


async def test_parse__an_answer_breaking_the_schema_is_repaired_once(
    responses_client, model_worker, fake_openai
):
    fake_openai.script(
        answer({"name": "Lyon", "population": "many"}),
        answer({"name": "Lyon", "population": 522_250}),
    )

    parsed = await responses_client.responses.parse(
        model="fake-small", input="Which city?", text_format=CityInfo
    )

    assert parsed.output_parsed == CityInfo(name="Lyon", population=522_250)
    repair = fake_openai.requests[-1].body["messages"][-1]["content"]
    assert "population: breaks the schema's type keyword" in repair and "many" not in repair


async def test_webhook__response_completed_verified_with_unwrap(
    loopback_webhooks, receiver, responses_client, model_worker, http
):
    endpoint = (
        await http.post(
            "/v1/webhooks",
            json={"url": receiver.url, "event_types": ["response.completed"]},
            headers={"Authorization": f"Bearer {responses_client.api_key}"},
        )
    ).json()
    receiver.secret = endpoint["secret"]
    created = await responses_client.responses.create(
        model="fake-small", input="Notify me.", background=True
    )

    async def delivered():
        return receiver.deliveries[0] if receiver.deliveries else None

    delivery = await wait_for(delivered, what="the webhook")

    event = responses_client.webhooks.unwrap(
        delivery.raw, delivery.headers, secret=endpoint["secret"]
    )
    assert event.type == "response.completed" and event.data.id == created.id
    assert len(receiver.deliveries) == 1  # the endpoint named only response.completed


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"tools": [{"type": "web_search"}]}, "tools"),
        ({"reasoning": {"effort": "high"}}, "reasoning"),
        ({"store": False}, "store"),
        ({"model": "gpt-4o"}, "model"),
        # A parameter of two accepted forms is named as the caller wrote it.
        ({"input": 5}, "input"),
    ],
)
async def test_create__what_courier_cannot_honour_is_refused_with_bad_request(
    responses_client, extra, param
):
    request = {"model": "fake-small", "input": "hi", "background": True} | extra

    with pytest.raises(openai.BadRequestError) as refused:
        await responses_client.responses.create(**request)

    assert refused.value.status_code == 400
    assert refused.value.param == param
    assert refused.value.body["message"]  # OpenAI's envelope, read by the SDK


async def test_errors__unknown_response_and_bad_key_answer_in_openais_envelope(
    responses_client, api
):
    with pytest.raises(openai.NotFoundError) as missing:
        await responses_client.responses.retrieve("resp_" + "0" * 32)
    assert missing.value.body["type"] == "invalid_request_error"

    async with openai.AsyncOpenAI(
        base_url=api + "/v1", api_key="not-a-key", max_retries=0
    ) as stranger:
        with pytest.raises(openai.AuthenticationError):
            await stranger.responses.retrieve("resp_" + "0" * 32)
    async with httpx.AsyncClient(base_url=api) as raw:
        answer_ = await raw.get("/v1/responses/nope", headers={"Authorization": "Bearer x"})
        # Routing errors come before any controller is chosen: the envelope holds for them too.
        no_such_path = await raw.get("/v1/responses/a/b/c/d", headers={"Authorization": "Bearer x"})
        wrong_method = await raw.put("/v1/responses", headers={"Authorization": "Bearer x"})
        elsewhere = await raw.put("/v1/jobs", headers={"Authorization": "Bearer x"})
    assert set(answer_.json()["error"]) == {"message", "type", "param", "code"}
    assert no_such_path.status_code == 404 and no_such_path.json()["error"]["message"]
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["message"]
    assert elsewhere.status_code == 405
    assert elsewhere.headers["content-type"].startswith("application/problem+json")


async def test_offline__without_a_provider_the_response_fails_honestly(api, worker, make_key):
    async with openai.AsyncOpenAI(
        base_url=api + "/v1", api_key=await make_key(), max_retries=0
    ) as client:
        created = await client.responses.create(
            model="gpt-4.1-mini", input="What is Courier?", background=True
        )
        failed = await _until_status(client, created.id, "completed", "failed")

    assert failed.status == "failed" and failed.output == []
    assert failed.error.code == "server_error" and "no_model_answered" in failed.error.message
