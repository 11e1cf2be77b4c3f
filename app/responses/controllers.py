"""``/v1/responses``: OpenAI's Responses API (background mode, polling, streaming
with resume, cancel) over Courier's jobs. Errors answer in OpenAI's envelope
(app/responses/errors.py), not problem+json."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import ServerSentEvent

from app.delivery.controllers import sse_response
from app.jobs.controllers import IDEMPOTENCY_KEY_PATTERN
from app.keys.auth import authenticated, provide_principal
from app.keys.service import Principal
from app.responses.errors import EXCEPTION_HANDLERS, openai_error_responses
from app.responses.schemas import CreateResponseRequest
from app.responses.service import ResponsesService, parse_response_id

ResponseObject = dict[str, Any]
"""OpenAI's Response object (app/responses/objects.py builds it)."""


def provide_responses(state: State) -> ResponsesService:
    return state.services.responses


class ResponseController(Controller):
    path = "/v1/responses"
    tags = ["responses"]
    security = [{"BearerAuth": []}]
    guards = [authenticated]
    exception_handlers = EXCEPTION_HANDLERS  # type: ignore[assignment]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "responses": Provide(provide_responses, sync_to_thread=False),
    }

    @post(
        "/",
        operation_id="CreateResponse",
        summary="Create a response (OpenAI Responses API)",
        description=(
            "Runs the request as a job of kind `response`. `background: true` answers at once "
            "with status `queued`; `stream: true` answers with the event stream; otherwise the "
            "answer waits for the response to finish (at most "
            "COURIER_RESPONSES_SYNC_WAIT_SECONDS). "
            "A retry with the same Idempotency-Key returns the same response."
        ),
        status_code=200,
        responses=openai_error_responses(400, 401, 404, 409, 413, 429, 503),
    )
    async def create(
        self,
        data: JSONBody[CreateResponseRequest],
        principal: NamedDependency[Principal],
        responses: NamedDependency[ResponsesService],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                min_length=1,
                max_length=255,
                pattern=IDEMPOTENCY_KEY_PATTERN,
                description="The openai SDK sends one per request, the same on its retries.",
            ),
        ] = None,
    ) -> Response[ResponseObject] | ServerSentEvent:
        created = await responses.create(principal, data, idempotency_key)
        if data.stream:
            return sse_response(
                await responses.stream(principal, created.job_id, starting_after=None)
            )
        if data.background:
            return Response(created.response)
        return Response(await responses.wait(principal, created.job_id))

    @get(
        "/{response_id:str}",
        operation_id="GetResponse",
        summary="Read a response, or stream its events",
        description=(
            "With `stream=true`: its events as server-sent events, from `response.created` "
            "(`sequence_number` 0), or only those after `starting_after`; the whole sequence "
            "stays replayable after the response has ended."
        ),
        responses=openai_error_responses(400, 401, 404, 429, 503),
    )
    async def read(
        self,
        response_id: FromPath[str],
        principal: NamedDependency[Principal],
        responses: NamedDependency[ResponsesService],
        stream: Annotated[bool, QueryParameter()] = False,
        starting_after: Annotated[
            int,
            QueryParameter(
                ge=-1,
                le=2**31 - 1,
                description="Send only the events after this sequence_number (-1: all).",
            ),
        ] = -1,
    ) -> Response[ResponseObject] | ServerSentEvent:
        job_id = parse_response_id(response_id)
        if stream:
            return sse_response(
                await responses.stream(
                    principal, job_id, starting_after=None if starting_after < 0 else starting_after
                )
            )
        return Response(await responses.get(principal, job_id))

    @post(
        "/{response_id:str}/cancel",
        operation_id="CancelResponse",
        summary="Cancel a response",
        description=(
            "A queued or in-progress response is cancelled (its execution aborted); cancelling "
            "a cancelled response answers the same again; a finished one is refused (409)."
        ),
        status_code=200,
        responses=openai_error_responses(400, 401, 404, 409, 503),
    )
    async def cancel(
        self,
        response_id: FromPath[str],
        principal: NamedDependency[Principal],
        responses: NamedDependency[ResponsesService],
    ) -> ResponseObject:
        return await responses.cancel(principal, parse_response_id(response_id))
