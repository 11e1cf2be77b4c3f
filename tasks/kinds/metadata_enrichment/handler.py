"""``metadata_enrichment``'s handler and its offline answer: values the content states
in so many words — a labelled value (``Material: 100% merino wool``) or, for the
common fields, a word of a fixed vocabulary (colours, materials, audiences) — each
quoted from its source; every other field is left empty, never guessed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import content_words, current_clause, sentences, struck_out
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.relevance import Focus
from app.llm.rules import Grounded
from app.llm.staleness import stale_sources
from app.prompts.templates import KindPrompts
from app.retrieval.service import retrieve_for_job, retrieved_documents
from app.safety.injection import quarantine
from tasks.kinds.metadata_enrichment.models import (
    CONTENT_SOURCES,
    MAX_QUOTE,
    EnrichedMetadata,
    FieldValue,
    MetadataEnrichmentInput,
    empty,
)
from tasks.kinds.metadata_enrichment.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "metadata_enrichment")
NOTHING_STATED = "no source states any of the fields asked for"

LABELLED, NAMED, ONE_OF_SEVERAL = 0.8, 0.6, 0.4
"""Offline confidences: a value stated after its field's label; the only word of a
field's vocabulary the content names; one of several it names (the first)."""

_ALIASES = {
    "colour": ("colour", "color", "colours", "colors", "colourway"),
    "material": ("material", "materials", "fabric"),
    "audience": ("audience", "target_audience", "gender", "age_group"),
}
_VOCABULARY = {
    "colour": """black white grey gray charcoal navy blue red burgundy green olive yellow
        orange pink purple brown beige cream ivory tan khaki silver gold teal turquoise
        navy_blue light_blue sky_blue forest_green off-white""",
    "material": """cotton organic_cotton wool merino_wool merino cashmere linen silk leather
        vegan_leather suede polyester recycled_polyester nylon recycled_nylon elastane
        spandex denim canvas fleece bamboo stainless_steel steel cast_iron aluminium
        aluminum copper oak walnut beech ceramic porcelain stoneware glass
        borosilicate_glass plastic recycled_plastic silicone rubber cork titanium""",
    "audience": """men women unisex kids children boys girls baby babies toddlers teens adults
        beginners professionals seniors""",
}


def _word_pattern(words: str) -> re.Pattern[str]:
    # Longest first, so "merino wool" wins over "wool"; a run of the words is one
    # value ("charcoal grey").
    terms = sorted((w.replace("_", " ") for w in words.split()), key=len, reverse=True)
    word = "|".join(re.escape(t).replace(r"\ ", r"[\s-]+") for t in terms)
    return re.compile(rf"(?<![\w-])(?:{word})(?:[\s-]+(?:{word}))*(?![\w-])", re.IGNORECASE)


_VOCABULARY_PATTERNS = {field: _word_pattern(words) for field, words in _VOCABULARY.items()}


DOCUMENTS_PER_JOB = 4
"""Document chunks retrieved for one product."""


async def enrich_metadata(job: MetadataEnrichmentInput, provider: Provider) -> KindResult:
    # Retrieved as the job's requester; untrusted like the references: screened, and
    # printed only as marked data with their ids.
    chunks = (
        await retrieve_for_job(provider, job.title, DOCUMENTS_PER_JOB)
        if job.search_documents
        else []
    )
    documents = retrieved_documents(chunks)
    sources = job.sources()
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "enrich",
            title=job.title,
            description=job.description,
            references=job.references,
            fields=job.fields,
            documents=[chunk.as_source() for chunk in chunks],
        ),
        prompt_version=PROMPTS.current,
        question=" ".join(job.fields),
        sources=[Source(id=name, text=text) for name, text in sources.items() if text]
        + [chunk.as_source() for chunk in chunks],
        output_model=EnrichedMetadata,
        rules=RULES.bind(Grounded(job, documents)),
        compose_extractive=partial(compose_fields, job, documents),
        compose_refusal=partial(refuse, job),
    )
    generation = await provider.generate(request)
    return KindResult(
        output=_nothing_stated_is_a_refusal(job, generation.output),
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def compose_fields(
    job: MetadataEnrichmentInput, documents: Mapping[str, str], extracts: Sequence[Extract]
) -> EnrichedMetadata:
    """The offline answer: each field asked for as the content states it, or empty.
    It reads the whole content (not the extracts): a field is stated anywhere; the
    retrieved ``documents`` (by source id) after the input's own texts, each with its
    suspect sentences quarantined."""
    # Read as quarantined (app/safety/injection.py): a value is never copied out of a
    # sentence that speaks to the model, whatever field (a title) carries it.
    sources = {
        name: quarantine(text)[0]
        for name, text in _titled_after_the_item(
            job, _about_the_item(job, job.sources() | dict(documents))
        )
        if text
    }
    fields = [_stated(name, sources) or empty(name) for name in job.fields]
    return EnrichedMetadata(fields=fields, outcome="enriched")


def _about_the_item(job: MetadataEnrichmentInput, texts: dict[str, str]) -> dict[str, str]:
    """``texts`` without the references about another item than the title's (a sibling
    model's sheet, another order's page), unless that leaves none of them; then without
    those out of date beside a current one (a discontinued model's sheet, an archived
    page: app/llm/staleness.py), unless that leaves none."""
    titles = {r.id: r.title for r in job.references}
    focus = Focus.of(job.title, sources=list(texts.values()))
    others = [k for k in texts if k not in CONTENT_SOURCES]
    kept = [k for k in others if not focus.about_another(texts[k], titles.get(k))] or others
    stale = stale_sources([Source(id=k, text=texts[k], title=titles.get(k)) for k in kept])
    kept = [k for i, k in enumerate(kept) if i not in stale] or kept
    return {k: t for k, t in texts.items() if k in CONTENT_SOURCES or k in kept}


def _titled_after_the_item(
    job: MetadataEnrichmentInput, texts: dict[str, str]
) -> list[tuple[str, str]]:
    """``texts`` with the references whose titles carry more of the item's title words
    first (after the item's own title and description): where two state a field, the
    brand's own sheet ("Pulse Fitness rates") wins over a sister brand's ("Pulse Studios
    rates")."""
    item = content_words(job.title)
    titles = {r.id: r.title or "" for r in job.references}

    def rank(name: str) -> int:
        if name in CONTENT_SOURCES:
            return -len(item) - 1
        return -len(item & content_words(titles.get(name, "")))

    return sorted(texts.items(), key=lambda pair: rank(pair[0]))


def refuse(job: MetadataEnrichmentInput, reason: str) -> EnrichedMetadata:
    return EnrichedMetadata(fields=[], outcome="refused", refusal_reason=reason)


def _nothing_stated_is_a_refusal(
    job: MetadataEnrichmentInput, output: EnrichedMetadata
) -> EnrichedMetadata:
    # Every field empty (as answered, or after the untied values were removed): the
    # caller learns that nothing was found, and why, rather than a list of nulls.
    if output.outcome == "enriched" and all(f.value is None for f in output.fields):
        return refuse(job, NOTHING_STATED)
    return output


def _stated(field: str, sources: dict[str, str]) -> FieldValue | None:
    found = (
        _labelled(field, sources)
        or _said(field, sources)
        or _labelled_in_other_words(field, sources)
        or _share(field, sources)
        or _named(field, sources)
    )
    if found is None or found.value is None or struck_out(found.value) == found.value:
        return found
    # "Broker fee: ~~£914.65~~ £789.75": the struck-through price is not the value, and
    # the quote is the value alone, so the old price is not repeated.
    value = struck_out(found.value)
    return found.model_copy(update={"value": value, "quote": value})


def _share(field: str, sources: dict[str, str]) -> FieldValue | None:
    """The share a sentence gives of what the field names ("contains 70% recycled
    plastic" for ``recycled_plastic``): the field is that thing's share, so its value is
    the percentage as stated, never the whole ("100% recycled") or another word for it
    ("recyclable")."""
    words = [re.escape(w) for w in re.split(r"[_\s-]+", field) if w]
    if not words:
        return None
    named = r"[\s-]+".join(words)
    share = re.compile(
        rf"(?<![\w.,])(?P<value>\d+(?:[.,]\d+)?\s?%)\s+(?:of\s+)?{named}\b", re.IGNORECASE
    )
    for source, text in sources.items():
        for sentence in sentences(text):
            match = share.search(sentence)
            if match:
                clause = current_clause(sentence)
                return FieldValue(
                    field=field,
                    value=match["value"],
                    confidence=NAMED,
                    source=source,
                    quote=clause if len(clause) <= MAX_QUOTE else match[0],
                )
    return None


_COPULA = r"(?:\s+(?:is|are)\s+|[ \t]*:[ \t]*)"
# From the label on: its value is what follows its own copula, up to the sentence's end
# or the next "Label:" ("Material: ripstop nylon Poles: aluminium" gives ripstop nylon,
# where lines were joined into one sentence).
_VALUE_AFTER_LABEL = re.compile(
    rf"[^:]*?{_COPULA}(?P<value>[^:]+?)(?=\s+[\w'-]+\s*:|[.\s]*$)", re.IGNORECASE
)


def _said(field: str, sources: dict[str, str]) -> FieldValue | None:
    """A sentence that says the field's value in so many words, its words in order with
    up to two more between them ("The foreign ATM withdrawal fee is €7.50." for
    ``foreign_atm_fee``); a sentence that negates an old value gives the current one
    ("... is no longer €10: since May it is €12." gives €12)."""
    words = [re.escape(w) for w in re.split(r"[_\s-]+", field) if w]
    if not words:
        return None
    gap = r"(?:[\s-]+[\w'-]+){0,2}?[\s-]+"
    label = re.compile(rf"(?<![\w-]){gap.join(words)}(?=\w*{_COPULA})", re.IGNORECASE)
    for source, text in sources.items():
        for sentence in sentences(text):
            found = label.search(sentence)
            if not found:
                continue
            clause = current_clause(sentence[found.start() :])
            value = _VALUE_AFTER_LABEL.match(clause)
            if value and value["value"].strip():
                quote = clause[: value.end("value")]
                return FieldValue(
                    field=field,
                    value=value["value"].strip(),
                    confidence=NAMED,
                    source=source,
                    quote=quote if len(quote) <= MAX_QUOTE else value["value"].strip(),
                )
    return None


def _labelled(field: str, sources: dict[str, str]) -> FieldValue | None:
    """``<label>: <value>`` on a line or a clause of its own (a spec sheet's shape)."""
    labels = _ALIASES.get(field, (field,))
    alternatives = "|".join(re.escape(label).replace("_", r"[\s_-]+") for label in labels)
    pattern = re.compile(
        rf"(?<![\w-])(?:{alternatives})[ \t]*[:=][ \t]*"
        r"(?P<value>[^\n;|:]{1,120}?)\s*(?=$|[\n;|]|\.(?:\s|$))",
        re.IGNORECASE | re.MULTILINE,
    )
    for source, text in sources.items():
        match = pattern.search(text)
        if match:
            return FieldValue(
                field=field,
                value=match["value"],
                confidence=LABELLED,
                source=source,
                quote=match[0],
            )
    return None


_LABEL_LINE = re.compile(
    r"^[ \t]*(?P<label>[^:\n]{3,100}?)[ \t]*:[ \t]*(?P<value>[^\n]{1,120}?)[ \t]*\.?[ \t]*$",
    re.MULTILINE,
)


def _labelled_in_other_words(field: str, sources: dict[str, str]) -> FieldValue | None:
    """A line ``<label>: <value>`` whose label has every word of the field in any order
    ("Hourly rate for tax office enquiries (Landlord package): £145.25." for
    ``enquiry_hourly_rate``): a price list labels its lines in its own word order. Two
    such lines with different values (a sibling's sheet, another store's) give none."""
    wanted = {_root(w) for w in content_words(field.replace("_", " "))}
    if len(wanted) < 2:
        return None  # one word ("price") labels too many lines to tell which
    found = [
        (source, line)
        for source, text in sources.items()
        for line in _LABEL_LINE.finditer(text)
        if wanted <= {_root(w) for w in content_words(line["label"])}
    ]
    if not found or len({line["value"].strip() for _, line in found}) > 1:
        return None  # two lines give it two values (a sibling's, another store's): no guess
    source, line = found[0]
    return FieldValue(
        field=field, value=line["value"], confidence=LABELLED, source=source, quote=line[0].strip()
    )


def _root(word: str) -> str:
    # "enquiries" and "enquiry" stem to "enquiri" and "enquiry": one root.
    return word.rstrip("iy") if len(word) > 4 else word


def _named(field: str, sources: dict[str, str]) -> FieldValue | None:
    """The first word of the field's vocabulary the content names, quoted in its sentence."""
    canonical = next((name for name, labels in _ALIASES.items() if field in labels), None)
    if canonical is None:
        return None
    pattern = _VOCABULARY_PATTERNS[canonical]
    found = list(_occurrences(pattern, sources))
    if not found:
        return None
    source, sentence, value = found[0]
    distinct = {" ".join(v.casefold().replace("-", " ").split()) for _, _, v in found}
    return FieldValue(
        field=field,
        value=value,
        confidence=NAMED if len(distinct) == 1 else ONE_OF_SEVERAL,
        source=source,
        quote=sentence if len(sentence) <= MAX_QUOTE else value,
    )


def _occurrences(
    pattern: re.Pattern[str], sources: dict[str, str]
) -> Iterator[tuple[str, str, str]]:
    for source, text in sources.items():
        for sentence in sentences(text):
            for match in pattern.finditer(sentence):
                yield source, sentence, match[0]
