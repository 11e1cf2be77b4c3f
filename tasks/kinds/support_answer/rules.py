"""``support_answer``'s rules: an answer is grounded (it cites at least one source, only
sources it was given, quoting them word for word) and within its length; an
escalation answers nothing. A wrong answer is worse than an escalation, so nothing is
pruned: an answer that still breaks a rule after its repair fails the job."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, too_long, unknown_names
from tasks.kinds.support_answer.models import MAX_ANSWER, SupportAnswer, SupportAnswerInput


def citations_name_given_sources(job: SupportAnswerInput, output: SupportAnswer) -> Iterator[str]:
    given = {s.id for s in job.sources}
    yield from unknown_names("citations.source", [c.source for c in output.citations], given)


def quotes_occur_in_their_source(job: SupportAnswerInput, output: SupportAnswer) -> Iterator[str]:
    texts = {s.id: s.text for s in job.sources}
    for index, citation in enumerate(output.citations):
        if citation.source in texts:
            yield from not_in_text(
                f"citations[{index}].quote", citation.quote, texts[citation.source]
            )


def answers_are_grounded(job: SupportAnswerInput, output: SupportAnswer) -> Iterator[str]:
    if output.outcome == "answered" and not output.citations:
        yield "citations: an answer cites the sources it rests on; escalate when none does"
    if output.outcome == "answered" and not output.answer.strip():
        yield "answer: empty; escalate when the sources do not answer"


def escalations_answer_nothing(job: SupportAnswerInput, output: SupportAnswer) -> Iterator[str]:
    if output.outcome == "escalated" and (output.answer.strip() or output.citations):
        yield "answer: an escalation carries no answer and no citations"


def within_limits(job: SupportAnswerInput, output: SupportAnswer) -> Iterator[str]:
    yield from too_long("answer", output.answer, MAX_ANSWER)


RULES: Rules[SupportAnswerInput, SupportAnswer] = Rules(
    [
        citations_name_given_sources,
        quotes_occur_in_their_source,
        answers_are_grounded,
        escalations_answer_nothing,
        within_limits,
    ]
)
