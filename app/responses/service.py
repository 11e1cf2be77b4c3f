"""Responses as jobs: create through the intake, read, cancel, stream.

A response is a job of kind ``response`` (tasks/kinds/response/): created by
:meth:`JobService.submit` (so admission, the Idempotency-Key and the one
transaction are the intake's own), read back with the tokens of its calls
(``response_get``), cancelled by :meth:`JobService.cancel`, and streamed from the
job's event log through the API's event streams (app/delivery/sse.py: one LISTEN
per process, gapless per job, capped per tenant), translated by
:class:`app.responses.objects.ResponseEvents`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar.response import ServerSentEventMessage

from app.db import Database, NotFound
from app.delivery.sse import EventStreams
from app.jobs.schemas import TERMINAL_STATES, JobRequest, JobState
from app.jobs.service import JobService
from app.keys.service import Principal
from app.responses.errors import ResponseNotFound, UnsupportedParameter
from app.responses.ids import job_id_of, response_id
from app.responses.job_input import ConversationMessage
from app.responses.model_names import ModelNames
from app.responses.objects import ResponseEvents, encode, response_object
from app.responses.schemas import CreateResponseRequest, InputMessage

KIND = "response"


@dataclass(frozen=True)
class Created:
    """A created (or, for a retried Idempotency-Key, found) response."""

    job_id: UUID
    response: dict[str, Any]
    created: bool


class ResponsesService:
    def __init__(
        self,
        db: Database,
        jobs: JobService,
        streams: EventStreams,
        models: ModelNames,
        *,
        sync_wait_seconds: float,
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.streams = streams
        self.models = models
        self.sync_wait_seconds = sync_wait_seconds

    async def create(
        self, principal: Principal, request: CreateResponseRequest, idempotency_key: str | None
    ) -> Created:
        """Submit the request as a ``response`` job. Without an Idempotency-Key (the
        SDK always sends one, the same on its retries) every call makes a new one."""
        # The intake validates the input with the kind's model (a 400 names the field).
        intake = await self.jobs.submit(
            principal,
            JobRequest(kind=KIND, input=self.job_input(request)),
            idempotency_key or f"response:{uuid.uuid4()}",
        )
        return Created(
            intake.job.id, await self.get(principal, intake.job.id), created=intake.created
        )

    def job_input(self, request: CreateResponseRequest) -> dict[str, Any]:
        """The job a request runs as; what Courier cannot honour is refused here."""
        if request.store is False:
            raise UnsupportedParameter(
                "store",
                "Courier always stores a response: it is a job, kept in your database with its "
                "history. Send store=true or leave it out.",
            )
        instructions, messages = _conversation(request)
        text_format = request.text.format if request.text and request.text.format else None
        return {
            "model": request.model,
            "tier": self.models.tier(request.model),
            "instructions": instructions,
            "messages": [message.model_dump() for message in messages],
            "format": text_format.model_dump(by_alias=True) if text_format else {"type": "text"},
            "max_output_tokens": request.max_output_tokens,
            "temperature": request.temperature,
            "metadata": request.metadata or {},
            "background": bool(request.background),
        }

    async def get(self, principal: Principal, job_id: UUID) -> dict[str, Any]:
        return response_object(await self._row(principal, job_id))

    async def cancel(self, principal: Principal, job_id: UUID) -> dict[str, Any]:
        """Cancel a queued or in-progress response; cancelling it again answers the same."""
        await self._row(principal, job_id)  # 404 for a job that is not a response
        await self.jobs.cancel(principal, job_id)
        return await self.get(principal, job_id)

    async def wait(self, principal: Principal, job_id: UUID) -> dict[str, Any]:
        """The response once it has finished, or as it stands after the sync wait."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.sync_wait_seconds):
                async for _ in await self.stream(principal, job_id, starting_after=None):
                    pass
        return await self.get(principal, job_id)

    async def stream(
        self, principal: Principal, job_id: UUID, *, starting_after: int | None
    ) -> AsyncIterator[ServerSentEventMessage]:
        """The response's events after ``starting_after`` (None: all, from
        ``response.created``); ends after the terminal event. 404 before it starts
        for a response that is not the tenant's."""
        start = await self._row(principal, job_id)
        body = await self.streams.open_job_stream(
            principal.tenant_id, job_id, None, key_id=principal.key_id
        )
        return self._translated(principal, job_id, start, body, starting_after)

    async def _translated(
        self,
        principal: Principal,
        job_id: UUID,
        start: dict[str, Any],
        body: AsyncIterator[ServerSentEventMessage],
        starting_after: int | None,
    ) -> AsyncIterator[ServerSentEventMessage]:
        events = ResponseEvents()
        try:
            async for message in body:
                if not message.data:
                    # A heartbeat (a comment line); the retry hint is left out: the SDK
                    # reads any message with a field as an event.
                    if message.comment and message.comment.startswith("heartbeat"):
                        yield ServerSentEventMessage(data=None, comment="heartbeat")
                    continue
                job_event = json.loads(str(message.data))
                state = JobState(job_event["state"])
                row = start if state not in TERMINAL_STATES else await self._row(principal, job_id)
                for event in events.after(state, row):
                    if starting_after is None or event["sequence_number"] > starting_after:
                        yield ServerSentEventMessage(event=event["type"], data=encode(event))
        finally:
            await body.aclose()  # type: ignore[attr-defined]

    async def _row(self, principal: Principal, job_id: UUID) -> dict[str, Any]:
        try:
            return await self.db.fetch_one(
                "response_get", job_id=job_id, tenant_id=principal.tenant_id
            )
        except NotFound as exc:
            raise ResponseNotFound(response_id(job_id)) from exc


def parse_response_id(response_id: str) -> UUID:
    """The job of ``response_id``; :class:`ResponseNotFound` for one that cannot be."""
    job_id = job_id_of(response_id)
    if job_id is None:
        raise ResponseNotFound(response_id)
    return job_id


def _conversation(
    request: CreateResponseRequest,
) -> tuple[str | None, list[ConversationMessage]]:
    """The request's instructions (with its system and developer messages) and its
    conversation as plain-text messages."""
    if isinstance(request.input, str):
        return request.instructions, [ConversationMessage(role="user", text=request.input)]
    instructions = [request.instructions] if request.instructions else []
    messages = []
    for message in request.input:
        text = _text(message)
        if message.role == "user" or message.role == "assistant":
            messages.append(ConversationMessage(role=message.role, text=text))
        else:  # system and developer messages are the developer's instructions
            instructions.append(text)
    return "\n\n".join(instructions) or None, messages


def _text(message: InputMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return "\n\n".join(part.text for part in message.content)
