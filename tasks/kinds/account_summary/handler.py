"""``account_summary``'s handler and its offline answer: the sources' own sentences,
quoted and cited — the open issues are the sentences that name a problem or a pending
request (and not its fix), the key facts the CRM notes' first sentences and the
sentences with a number or a date, the sentiment a count of plainly positive and
negative words. With ``search_documents`` the tenant's documents the requester may read
are searched (app/retrieval/) and the best chunks are sources too."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import (
    Tables,
    addressed_to_the_model,
    content_words,
    current_clause,
    hedged,
    machine_made,
    read_row,
    sentences,
    table_headers,
)
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.quoting import split_footer, split_quoted
from app.llm.relevance import Focus
from app.llm.rules import Grounded
from app.prompts.templates import KindPrompts
from app.retrieval.service import retrieve_for_job, retrieved_documents
from tasks.kinds.account_summary.figures import conflicts, revises, rivals, supersedes
from tasks.kinds.account_summary.identity import Identity
from tasks.kinds.account_summary.models import (
    MAX_POINT,
    AccountSummary,
    AccountSummaryInput,
    Citation,
    Point,
    Sentiment,
)
from tasks.kinds.account_summary.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "account_summary")
DOCUMENTS_PER_JOB = 4
"""Document chunks retrieved for one summary."""

_ISSUE = re.compile(
    r"\b(problem|issue|broken|bug|error|fail(?:s|ed|ing|ure)?|not working|doesn't work|"
    r"does not work|cannot|can't|still (?:no|not|waiting)|waiting|delay(?:ed)?|late|overdue|"
    r"outstanding|unresolved|complain(?:t|ed)?|refund|dispute|escalat\w*|missing|wrong|"
    r"charged twice|duplicate|outage|crash\w*|still|on hold|have not|haven't|not yet|"
    r"lawyer|legal|penalt\w*|cancel\w*|other vendors)\b",
    re.IGNORECASE,
)
_RESOLVED = re.compile(
    # "not fixed", "isn't resolved" and "will be solved" are still open.
    r"(?<!not )(?<!n't )(?<!never )(?<!be )\b(fix(?:ed)?|resolved|solved|sorted out|works now|"
    r"working again|closed)\b",
    re.IGNORECASE,
)
_FACT = re.compile(
    r"\d|\b(?:renew\w*|contract|plan|seats?|licen[cs]es?|signed|upgrad\w*|owner|budget)\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\b(great|happy|pleased|love|excellent|appreciate[sd]?|glad|impressed|satisfied|"
    r"delighted|recommend(?:ed)?|smooth(?:ly)?|well done)\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"(?<!no )(?<!not )\b(frustrat\w*|disappoint\w*|unhappy|angry|unacceptable|annoy\w*|"
    r"terrible|worst|poor|upset|fed up|lawyer|cancel\w*|complain\w*|escalat\w*)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MIN_WORDS = 3
"""A sentence with fewer content words (a greeting, a sign-off) says nothing to summarize."""


async def summarize_account(job: AccountSummaryInput, provider: Provider) -> KindResult:
    # Retrieved as the job's requester; untrusted like the e-mails: screened, and printed
    # only as marked data with their ids.
    chunks = (
        await retrieve_for_job(provider, job.focus or job.account, DOCUMENTS_PER_JOB)
        if job.search_documents
        else []
    )
    documents = [chunk.as_source() for chunk in chunks]
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "summarize",
            account=job.account,
            emails=job.emails,
            crm_notes=job.crm_notes,
            focus=job.focus,
            max_points=job.max_points,
            documents=documents,
        ),
        prompt_version=PROMPTS.current,
        question=job.focus or "",
        about=_about(job),
        sources=[Source(id=e.id, text=e.body, title=e.subject) for e in job.emails]
        + [Source(id=n.id, text=n.text) for n in job.crm_notes]
        + documents,
        output_model=AccountSummary,
        rules=RULES.bind(Grounded(job, retrieved_documents(chunks))),
        compose_extractive=partial(compose_summary, job, retrieved_documents(chunks)),
        compose_refusal=refuse,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


@dataclass(frozen=True)
class _Sentence:
    source: str
    text: str
    quote: str | None = None
    """What it cites when ``text`` is not copied whole (a table cell read in its column)."""


def _said(source: str, sentence: str, tables: Tables, plan: Focus) -> _Sentence:
    """``sentence`` as it holds now: a tier table's row read in the account's column, the
    clause after one negating an old value, else the sentence."""
    row = read_row(sentence, tables.rows.get(sentence), plan)
    return _Sentence(source, row[0], row[1]) if row else _Sentence(source, current_clause(sentence))


def compose_summary(
    job: AccountSummaryInput, documents: Mapping[str, str], extracts: Sequence[Extract]
) -> AccountSummary:
    """The offline summary: quoted sentences only (the extracts that answer ``focus``
    come first among the key facts), and a summary line of counts. ``documents``: the
    chunks retrieved for the job, by source id, read after the e-mails and notes."""
    notes = {n.id for n in job.crm_notes}
    identity = Identity.of(job)
    texts = _about_the_account(job, documents)
    # The plan or tier the account's mails and notes name ("I am on the Premium plan")
    # chooses a tier table's column.
    plan = Focus.of(*texts.values())
    every = [
        _said(source, sentence, tables, plan)
        for source, text in texts.items()
        for tables in [table_headers(text.splitlines())]
        for sentence in sentences(text)
        if len(sentence) <= MAX_POINT
        and sentence not in tables.titles
        and not addressed_to_the_model(sentence)
        and not identity.about_another(sentence)
        # A machine's reading of an attachment was said by no one, and may misread it.
        and not machine_made(sentence)
        and not hedged(sentence)
        # A question states nothing ("Could you do it for €2,880.50?").
        and not sentence.rstrip().endswith("?")
    ]
    # Facts and issues need words; a feeling may be short ("This is frustrating.").
    said = _current(job, [s for s in every if len(content_words(s.text)) >= MIN_WORDS])
    issues = [s for s in said if _ISSUE.search(s.text) and not _RESOLVED.search(s.text)]
    issues = issues[: job.max_points]
    first_of_note = {s.source: s for s in reversed(said) if s.source in notes}
    focused = [s for s in (_Sentence(e.source_id, e.text, e.quote) for e in extracts) if s in said]
    facts = _unique(
        focused + [s for s in said if s in first_of_note.values() or _FACT.search(s.text)],
        exclude=issues,
    )
    contested = _contested(facts + issues, texts)
    issues = [s for s in issues if s not in contested]
    facts = [s for s in facts if s not in contested][: job.max_points]
    sentiment, felt = _sentiment(every)
    if not facts and not issues and not felt:
        return refuse("the e-mails and notes say nothing to summarize")
    quoted = _unique(facts + issues + felt)
    cited = _unique_sources(quoted)
    return AccountSummary(
        summary=(
            f"{job.account}: {_count(len(job.emails), 'e-mail')} and "
            f"{_count(len(job.crm_notes), 'CRM note')}"
            + (f" and {_count(len(documents), 'document passage')}" if documents else "")
            + " read; "
            f"{_count(len(issues), 'open issue')} found; the sentiment reads {sentiment}."
        ),
        key_facts=[Point(text=s.text, sources=[s.source]) for s in facts],
        open_issues=[Point(text=s.text, sources=[s.source]) for s in issues],
        sentiment=sentiment,
        sentiment_sources=_unique_sources(felt) or cited,
        citations=[Citation(source=s.source, quote=s.quote or s.text) for s in quoted],
        outcome="summarized",
    )


def _contested(points: list[_Sentence], texts: Mapping[str, str]) -> set[_Sentence]:
    """The points (facts or issues) giving another figure for what a point of another
    source states (60 seats in one note, 150 in another; a refund window of 41 days in
    the sent reply, 35 in a draft) unless a third source states theirs: the rest of the
    data decides, and undecided, both are left out. A summary stating either would
    guess which one holds; a model's summary that states both is held for a reviewer
    (:func:`figure_confidence`)."""

    def backed(point: _Sentence, other: _Sentence) -> bool:
        mine = set(_NUMBER.findall(point.text)) - set(_NUMBER.findall(other.text))
        return any(
            source not in (point.source, other.source) and mine & set(_NUMBER.findall(text))
            for source, text in texts.items()
        )

    return {
        point
        for point in points
        for other in points
        if point.source != other.source
        and (conflicts(point.text, other.text) or rivals(point.text, other.text))
        and not backed(point, other)
    }


UNSURE = 0.5
"""The confidence of a summary whose key facts give two figures for one quantity (a
model's: the offline answer leaves such figures out)."""


def figure_confidence(output: AccountSummary) -> float | None:
    """:data:`UNSURE` when two key facts from different sources give different figures
    for the same quantity (the notes say 60 seats and 150, and nothing tells which is
    current): a reviewer decides before anyone reads one of them as the account's;
    None otherwise (the summary states no confidence)."""
    facts = output.key_facts
    for i, one in enumerate(facts):
        for other in facts[i + 1 :]:
            if set(one.sources) != set(other.sources) and conflicts(one.text, other.text):
                return UNSURE
    return None


def _about(job: AccountSummaryInput) -> str:
    """The account, said as an account ("Acme account"), so its name has a shape that
    another account's name in a note or e-mail conflicts with (app/llm/relevance.py)."""
    return f"{job.account} account"


def _about_the_account(job: AccountSummaryInput, documents: Mapping[str, str]) -> dict[str, str]:
    """The sources' own text (without the older mail an e-mail forwards or quotes, nor
    its signature's footer), and
    without those about another account only (a note filed under the wrong account, or
    one that says it was), unless that leaves none."""
    every = {source: _own_text(text) for source, text in (job.sources() | dict(documents)).items()}
    subjects = {e.id: e.subject for e in job.emails}
    focus = Focus.of(_about(job))
    identity = Identity.of(job)
    senders = {e.id: e.sender for e in job.emails}
    kept = {
        s: text
        for s, text in every.items()
        if not focus.about_another(text, subjects.get(s))
        and not identity.about_another(f"{subjects.get(s) or ''}\n{text}")
        and not identity.filed_elsewhere(text)
        and not (identity.other_sender(senders.get(s)) and not identity.named(text))
    }
    return kept or every


def _current(job: AccountSummaryInput, said: list[_Sentence]) -> list[_Sentence]:
    """``said`` without the figures a later sentence replaces for the same quantity (a
    discount revised on a later call): later by the sources' dates, or, where they tell
    nothing, a later sentence that says it revises."""
    when = _dates(job)
    return [
        s
        for i, s in enumerate(said)
        if not any(
            _later(t, j > i, s, when) and supersedes(t.text, s.text)
            for j, t in enumerate(said)
            if j != i
        )
    ]


def _later(
    one: _Sentence, after: bool, other: _Sentence, when: Mapping[str, datetime | None]
) -> bool:
    first, second = when.get(other.source), when.get(one.source)
    if one.source != other.source and first is not None and second is not None:
        return second > first
    return after and revises(one.text)


def _dates(job: AccountSummaryInput) -> dict[str, datetime | None]:
    found = {e.id: e.sent_at for e in job.emails} | {n.id: n.written_at for n in job.crm_notes}
    # An input may mix dates with and without a zone: without one, read as UTC.
    return {k: v.replace(tzinfo=UTC) if v and v.tzinfo is None else v for k, v in found.items()}


def _own_text(text: str) -> str:
    # Nor the footer below the signature: boilerplate sent with every message.
    own, _ = split_footer(split_quoted(text)[0])
    return "\n".join(own) if any(line.strip() for line in own) else text


def refuse(reason: str) -> AccountSummary:
    return AccountSummary(
        summary="",
        key_facts=[],
        open_issues=[],
        sentiment="neutral",
        sentiment_sources=[],
        citations=[],
        outcome="refused",
        refusal_reason=reason,
    )


def _sentiment(said: list[_Sentence]) -> tuple[Sentiment, list[_Sentence]]:
    """The label by a count of plain words (one clearly outweighing the other by two to
    one, else mixed), and the sentences it was read from."""
    positive = [s for s in said if _POSITIVE.search(s.text)]
    negative = [s for s in said if _NEGATIVE.search(s.text)]
    if not positive and not negative:
        return "neutral", []
    if len(negative) >= 2 * len(positive):
        return "negative", negative
    if len(positive) >= 2 * len(negative):
        return "positive", positive
    return "mixed", positive + negative


def _unique(sentences_: list[_Sentence], exclude: Sequence[_Sentence] = ()) -> list[_Sentence]:
    seen = {(s.source, s.text) for s in exclude}
    kept = []
    for sentence in sentences_:
        if (sentence.source, sentence.text) not in seen:
            seen.add((sentence.source, sentence.text))
            kept.append(sentence)
    return kept


def _unique_sources(sentences_: list[_Sentence]) -> list[str]:
    return list(dict.fromkeys(s.source for s in sentences_))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
