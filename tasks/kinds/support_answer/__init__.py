"""``support_answer``: answer a support question from the sources given in the input
(until retrieval chooses them), cited, or escalate with the reason when the sources
do not answer ("a wrong answer is worse than an escalation"). Small tier; offline the
extractive provider answers with the sources' own sentences or escalates."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.support_answer.handler import PROMPTS, answer_question, compose_answer, escalate
from tasks.kinds.support_answer.models import (
    SupportAnswer,
    SupportAnswerInput,
    SupportCitation,
    SupportSource,
    Turn,
)
from tasks.kinds.support_answer.rules import RULES

KIND = Kind(
    name="support_answer",
    input_model=SupportAnswerInput,
    output_model=SupportAnswer,
    handler=answer_question,
    default_deadline=timedelta(minutes=5),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a routine answer; escalation covers what the sources do not
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "SupportAnswer",
    "SupportAnswerInput",
    "SupportCitation",
    "SupportSource",
    "Turn",
    "answer_question",
    "compose_answer",
    "escalate",
]
