"""``moderation_summary``'s rules, on every answer of a model (and the rule stage's
own): labels from the policy set each once, ``none`` only alone; a severity that
matches ("none" exactly when nothing is broken); every label broken is evidenced by
a passage quoted word for word from the content; a refusal judges nothing. A quote
that is not in the content gets one repair request, then is dropped (``prune``); a
label left without evidence is never dropped: the job fails rather than under-report."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, too_long
from tasks.kinds.moderation_summary.models import (
    MAX_QUOTE,
    MAX_RATIONALE,
    ModerationJudgement,
    ModerationSummaryInput,
)


def labels_once_none_alone(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> Iterator[str]:
    if len(set(output.labels)) != len(output.labels):
        yield "labels: a label twice"
    if "none" in output.labels and len(output.labels) > 1:
        yield 'labels: "none" stands alone'
    if output.outcome == "moderated" and not output.labels:
        yield 'labels: give the policies broken, or ["none"]'


def severity_matches_labels(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> Iterator[str]:
    if output.outcome == "moderated" and (output.labels == ["none"]) != (output.severity == "none"):
        yield 'severity: "none" exactly when the labels are ["none"]'


def passages_quote_the_content(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> Iterator[str]:
    for index, passage in enumerate(output.passages):
        yield from too_long(f"passages[{index}].quote", passage.quote, MAX_QUOTE)
        yield from not_in_text(f"passages[{index}].quote", passage.quote, job.content)


def passages_evidence_a_label(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> Iterator[str]:
    for index, passage in enumerate(output.passages):
        if passage.label == "none" or passage.label not in output.labels:
            yield f"passages[{index}].label: not one of the labels given (other than none)"


def every_label_evidenced(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> Iterator[str]:
    evidenced = {p.label for p in output.passages}
    for index, label in enumerate(output.labels):
        if label != "none" and label not in evidenced:
            yield f"labels[{index}]: no passage quotes the content that breaks it"


def rationale_given(job: ModerationSummaryInput, output: ModerationJudgement) -> Iterator[str]:
    if output.outcome == "moderated" and not output.rationale.strip():
        yield "rationale: empty; say why, citing the passages"
    yield from too_long("rationale", output.rationale, MAX_RATIONALE)


def refusals_judge_nothing(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> Iterator[str]:
    if output.outcome == "refused" and (
        output.labels or output.passages or output.severity != "none"
    ):
        yield 'labels: a refusal carries no labels, no passages and severity "none"'


def drop_unfounded_passages(
    job: ModerationSummaryInput, output: ModerationJudgement
) -> ModerationJudgement:
    """Passages not found in the content, or evidencing no label given, dropped; the
    labels are kept (a label left without evidence still breaks a rule)."""
    kept = [
        p
        for p in output.passages
        if p.label in output.labels
        and p.label != "none"
        and len(p.quote) <= MAX_QUOTE
        and not any(not_in_text("", p.quote, job.content))
    ]
    return output.model_copy(update={"passages": kept})


RULES: Rules[ModerationSummaryInput, ModerationJudgement] = Rules(
    [
        labels_once_none_alone,
        severity_matches_labels,
        passages_quote_the_content,
        passages_evidence_a_label,
        every_label_evidenced,
        rationale_given,
        refusals_judge_nothing,
    ],
    prune=drop_unfounded_passages,
)
