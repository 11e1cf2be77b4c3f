"""``account_summary``'s rules: every citation names a given e-mail or note and quotes it
word for word; every key fact, open issue and the sentiment name given sources that are
quoted among the citations; at most ``max_points`` of each; lengths within limits; a
refusal carries nothing. Nothing is pruned: an ungrounded summary fails the job."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, too_long, unknown_names
from tasks.kinds.account_summary.models import (
    MAX_POINT,
    MAX_SUMMARY,
    AccountSummary,
    AccountSummaryInput,
)


def citations_name_given_sources(job: AccountSummaryInput, output: AccountSummary) -> Iterator[str]:
    given = job.sources().keys()
    yield from unknown_names("citations.source", [c.source for c in output.citations], given)


def quotes_occur_in_their_source(job: AccountSummaryInput, output: AccountSummary) -> Iterator[str]:
    texts = job.sources()
    for index, citation in enumerate(output.citations):
        if citation.source in texts:
            yield from not_in_text(
                f"citations[{index}].quote", citation.quote, texts[citation.source]
            )


def each_point_is_cited(job: AccountSummaryInput, output: AccountSummary) -> Iterator[str]:
    """Every point names at least one source, each given and quoted among the citations."""
    cited = {c.source for c in output.citations}
    for field, points in (("key_facts", output.key_facts), ("open_issues", output.open_issues)):
        for index, point in enumerate(points):
            if not point.sources:
                yield f"{field}[{index}].sources: name the e-mails or notes it rests on"
            for position, source in enumerate(point.sources):
                if source not in cited:
                    yield (
                        f"{field}[{index}].sources[{position}]: not a source quoted in citations"
                    )
    if output.outcome == "summarized" and not output.sentiment_sources:
        yield "sentiment_sources: name the e-mails or notes the sentiment is read from"
    for position, source in enumerate(output.sentiment_sources):
        if source not in cited:
            yield f"sentiment_sources[{position}]: not a source quoted in citations"


def within_limits(job: AccountSummaryInput, output: AccountSummary) -> Iterator[str]:
    yield from too_long("summary", output.summary, MAX_SUMMARY)
    for field, points in (("key_facts", output.key_facts), ("open_issues", output.open_issues)):
        if len(points) > job.max_points:
            yield f"{field}: {len(points)} points, at most {job.max_points} allowed"
        for index, point in enumerate(points):
            yield from too_long(f"{field}[{index}].text", point.text, MAX_POINT)


def summaries_say_something(job: AccountSummaryInput, output: AccountSummary) -> Iterator[str]:
    if output.outcome == "summarized" and not output.summary.strip():
        yield "summary: empty; refuse when the sources say nothing about the account"
    if output.outcome == "refused" and (
        output.summary.strip() or output.key_facts or output.open_issues or output.citations
    ):
        yield "summary: a refusal carries no summary, points or citations"


RULES: Rules[AccountSummaryInput, AccountSummary] = Rules(
    [
        citations_name_given_sources,
        quotes_occur_in_their_source,
        each_point_is_cited,
        within_limits,
        summaries_say_something,
    ]
)
