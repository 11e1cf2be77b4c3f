"""``response``'s handler: one model step answering a Responses API request.

Who writes what in the prompt (``prompts/respond.v<N>.j2``): the system message is
Courier's alone, as for every kind, so nothing a caller sends can edit its rules.
The caller's ``instructions`` are the developer's (the holder of the API key, who
is to this kind what a kind's author is to its template): they are printed as they
are, under "Developer instructions", and the system message tells the model to
follow them. The user messages are the request itself (the API caller's, as a
question is to any kind): printed as they are, under "User", and not screened as
injected content, or a plain "Answer with the city only." would be quarantined and
the response held. Earlier assistant turns are data blocks: text a model wrote
before may carry what it read, so the boundary, and the injection screening that
reads data, apply to them as to every kind's untrusted input.

Offline (no provider configured, or every model of the chain failed) there is no
honest answer to an open request: quoting the question back is not one. The
response then fails with ``no_model_answered`` instead of completing with a
pretend answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

from pydantic import BaseModel

from app.jobs.kinds import KindResult
from app.llm.errors import PermanentProviderError
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.schema_output import SchemaOutput, schema_output_model
from app.prompts.data import PromptText
from app.prompts.templates import KindPrompts
from app.responses.job_input import JsonSchemaFormat
from tasks.kinds.response.models import ResponseJobInput, ResponseResult, TextAnswer

PROMPTS = KindPrompts.beside(__file__, "response")
NO_MODEL = "no_model_answered"


async def respond(job: ResponseJobInput, provider: Provider) -> KindResult:
    output_model = answer_model(job)
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "respond",
            # The developer's own text, trusted by design (see the module docstring).
            instructions=PromptText(job.instructions) if job.instructions else None,
            messages=[
                {"role": m.role, "text": PromptText(m.text) if m.role == "user" else m.text}
                for m in job.messages
            ],
        ),
        prompt_version=PROMPTS.current,
        question=next(m.text for m in reversed(job.messages) if m.role == "user"),
        sources=[
            Source(id=f"m{index}", text=message.text) for index, message in enumerate(job.messages)
        ],
        output_model=output_model,
        compose_extractive=offline,
        compose_refusal=partial(refuse, output_model),
        max_output_tokens=job.max_output_tokens,
        temperature=job.temperature,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=result(generation.output),
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def answer_model(job: ResponseJobInput) -> type[BaseModel]:
    """What the model is asked for: the caller's JSON schema, or plain text."""
    if isinstance(job.format, JsonSchemaFormat):
        return schema_output_model(job.format.name, job.format.json_schema)
    return TextAnswer


def result(output: BaseModel) -> ResponseResult:
    """The job's result from the model's answer."""
    if isinstance(output, SchemaOutput):
        if output.refusal is not None:
            return ResponseResult(refusal=output.refusal)
        return ResponseResult(text=json.dumps(output.root, ensure_ascii=False))
    assert isinstance(output, TextAnswer)
    if output.refusal is not None:
        return ResponseResult(refusal=output.refusal)
    return ResponseResult(text=output.text)


def refuse(output_model: type[BaseModel], reason: str) -> BaseModel:
    if issubclass(output_model, SchemaOutput):
        return output_model.refused(reason)
    return TextAnswer(text="", refusal=reason)


def offline(extracts: Sequence[Extract]) -> BaseModel:
    raise PermanentProviderError(NO_MODEL)
