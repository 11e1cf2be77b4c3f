"""``response``: a request of the OpenAI-compatible Responses API (app/responses/),
run as a job. Its tier comes from the model the request named (app/responses/
model_names.py): the large tier's names start at the large model. Answers are never
shared through the model cache: a caller asking twice expects two answers, as from
OpenAI."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.response.handler import PROMPTS, respond
from tasks.kinds.response.models import ResponseJobInput, ResponseResult, TextAnswer

KIND = Kind(
    name="response",
    input_model=ResponseJobInput,
    output_model=ResponseResult,
    handler=respond,
    default_deadline=timedelta(hours=1),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",
    high_risk=lambda job: job.tier == "large",
    cache=False,
    needs_model=True,  # an open request has no honest extractive answer
)

__all__ = ["KIND", "PROMPTS", "ResponseJobInput", "ResponseResult", "TextAnswer", "respond"]
