"""``product_description``'s handler and its offline answer: a template filled with the
metadata as given (name, brand, features, attributes) and the reference sentences the
extractive provider found about the product, cited. The template cannot translate, so
offline it writes only when the requested locale's language is the metadata's (in one of
the languages it has words for) and refuses otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import (
    addressed_to_the_model,
    content_words,
    current_clause,
    read_row,
    sentences,
    table_headers,
)
from app.llm.measures import rivals
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.quoting import split_footer, split_quoted
from app.llm.regions import locale_region
from app.llm.relevance import Focus, labelled_subjects, sibling
from app.llm.rules import Grounded
from app.llm.staleness import stale_sources
from app.prompts.templates import KindPrompts
from app.retrieval.service import retrieve_for_job, retrieved_documents
from tasks.kinds.product_description.models import (
    MAX_BULLET,
    METADATA,
    Citation,
    ProductDescription,
    ProductDescriptionInput,
    language,
    printed,
)
from tasks.kinds.product_description.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "product_description")
DOCUMENTS_PER_JOB = 4
"""Reference document chunks retrieved for one description."""

BY = {"en": "by", "de": "von", "fr": "par", "es": "de", "it": "di", "nl": "van", "pt": "da"}
"""The template's one word of its own ("<name> by <brand>"), per language it can write."""
MIN_REFERENCE_SCORE = 0.3
"""Offline, a reference sentence is used when it shares this share of the words of the
product's name and category."""


async def describe_product(job: ProductDescriptionInput, provider: Provider) -> KindResult:
    product = job.product
    question = f"{product.name} {product.category or ''}"
    # Reference documents, retrieved as the job's requester; untrusted like the given
    # references: screened, and printed only as marked data with their ids. The offline
    # template writes from the metadata alone.
    chunks = (
        await retrieve_for_job(provider, question, DOCUMENTS_PER_JOB)
        if job.search_documents
        else []
    )
    documents = [chunk.as_source() for chunk in chunks]
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "describe",
            product=product,
            locale=job.locale,
            metadata_locale=job.metadata_locale,
            customer_tier=job.customer_tier,
            references=job.references,
            max_title=job.max_title,
            max_body=job.max_body,
            max_bullets=job.max_bullets,
            documents=documents,
        ),
        prompt_version=PROMPTS.current,
        question=question,
        # The product's name and SKU tell its references from a sibling model's, and the
        # locale's country a store's price list from another country's.
        about=f"{product.name} {product.sku or ''} {locale_region(job.locale)}",
        sources=[Source(id=METADATA, text=product.as_text())]
        + [Source(id=r.id, text=r.text, title=r.title) for r in job.references]
        + documents,
        output_model=ProductDescription,
        rules=RULES.bind(Grounded(job, retrieved_documents(chunks))),
        compose_extractive=partial(compose_description, job),
        compose_refusal=refuse,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def compose_description(
    job: ProductDescriptionInput, extracts: Sequence[Extract]
) -> ProductDescription:
    """The template: "<name> by <brand>.", the features and attributes as given (a
    feature addressed to the model left out), the references' sentences about the
    product; business readers get the attributes (the specs) first among the bullets."""
    target = language(job.locale)
    if target != language(job.metadata_locale) or target not in BY:
        return refuse(
            f"no model answered, and the offline template cannot write {job.locale} "
            f"from metadata in {job.metadata_locale}"
        )
    product = job.product
    features = [f for f in product.features if not addressed_to_the_model(f)]
    # A yes/no attribute is named when true (no word of the template's own to translate).
    specs = [
        key.replace("_", " ") if v is True else f"{key.replace('_', ' ')}: {printed(v)}"
        for key, v in product.attributes.items()
        if v is not False and not addressed_to_the_model(f"{key}: {printed(v)}")
    ]
    business = job.customer_tier == "business"
    # The product's own metadata is the merchant's catalog: a reference sentence giving
    # another value for what it states (another waiting period, an older price) is
    # left out, whatever the reference's date or title.
    own = features + specs
    used = [
        e
        for e in extracts
        if e.source_id != METADATA
        and e.score >= MIN_REFERENCE_SCORE
        and not addressed_to_the_model(e.text)
        and not any(rivals(e.text, fact) for fact in own)
    ]
    # No features, and no reference sentence names the product: what the product's own
    # reference sheets state describes it.
    stated = [] if features or used else reference_statements(job)
    stated = [e for e in stated if not any(rivals(e.text, fact) for fact in own)]
    used, stated = _uncontested(used), _uncontested(stated)
    ordered = specs + features if business else features + specs
    ordered += [e.text for e in stated]
    bullets = [b for b in ordered if len(b) <= MAX_BULLET][: job.max_bullets]
    if not bullets:
        return refuse("the metadata gives no feature or attribute to describe")
    if stated:
        used = [e for e in stated if e.text in bullets]
    opening = f"{product.name} {BY[target]} {product.brand}" if product.brand else product.name
    body = _within(
        [_sentence(opening), *map(_sentence, features), *(e.text for e in used)],
        job.max_body,
    )
    facts = [printed(v) for v in product.attributes.values() if not isinstance(v, bool)]
    values = [product.name, *features, *facts]
    citations = [Citation(source=METADATA, quote=value) for value in values if value.strip()]
    citations += [Citation(source=e.source_id, quote=e.cited) for e in used if e.text in body]
    return ProductDescription(
        title=_title(job),
        body=body,
        bullets=bullets,
        locale=job.locale,
        citations=citations,
        outcome="written",
    )


def _uncontested(extracts: list[Extract]) -> list[Extract]:
    """``extracts`` without those another reference contradicts (CHF 24.00 for the
    Medium pack on one sheet, €20.50 on another): which one holds for this product is a
    guess, and both are left out. One sheet's price and its shipping cost both stay."""
    return [
        e
        for e in extracts
        if not any(o.source_id != e.source_id and rivals(e.text, o.text) for o in extracts)
    ]


def reference_statements(job: ProductDescriptionInput) -> list[Extract]:
    """The sentences of the references about this product and current (not a sibling
    model's or another site's sheet, not a superseded or sister brand's one), each as
    said now (the clause after "no longer ..."; a table row read in the product's plan
    column), without a signature's footer or a table's header row."""
    product = job.product
    names = [product.name, product.brand or "", product.sku or ""]
    sources = [Source(id=r.id, text=r.text, title=r.title) for r in job.references]
    focus = Focus.of(*names, sources=[s.text for s in sources])
    asked = {p.strip() for name in names for p in name.split(",") if p.strip()}
    kept = [s for s in sources if not focus.about_another(s.text, s.title)] or sources
    stale = stale_sources(kept)
    kept = [s for i, s in enumerate(kept) if i not in stale] or kept
    # A sister brand's sheet ("Pulse Studios rates" for Pulse Fitness): the sheets whose
    # titles carry the most of the product's words.
    wanted = content_words(" ".join(names))
    best = max((len(wanted & content_words(s.title or "")) for s in kept), default=0)
    kept = [s for s in kept if len(wanted & content_words(s.title or "")) == best]
    plan = Focus.of(" ".join(f"{v} {k}" for k, v in product.attributes.items()))
    found: list[Extract] = []
    for source in kept:
        own, _ = split_footer(split_quoted(source.text)[0])
        tables = table_headers(own)
        for line in own:
            for sentence in sentences(line):
                if sentence in tables.titles or addressed_to_the_model(sentence):
                    continue
                if any(sibling(s, asked) for s in labelled_subjects(sentence, source.title)):
                    continue
                row = read_row(sentence, tables.rows.get(sentence), plan)
                if sentence in tables.rows and row is None:
                    continue  # a row of every tier's values, none of them the product's
                text, cited = (row[0], row[1]) if row else (current_clause(sentence), None)
                found.append(Extract(source.id, text, 1.0, quote=cited))
    return found


def refuse(reason: str) -> ProductDescription:
    return ProductDescription(
        title="",
        body="",
        bullets=[],
        locale="",
        citations=[],
        outcome="refused",
        refusal_reason=reason,
    )


def _title(job: ProductDescriptionInput) -> str:
    """The brand and the name, else the name alone, else as many of its words as fit."""
    name, brand = job.product.name, job.product.brand
    if (
        brand
        and brand.casefold() not in name.casefold()
        and len(f"{brand} {name}") <= job.max_title
    ):
        return f"{brand} {name}"
    return _within(name.split(" "), job.max_title)


def _within(parts: Sequence[str], limit: int) -> str:
    """The leading ``parts`` joined by spaces, as many as fit in ``limit`` characters."""
    kept: list[str] = []
    for part in parts:
        if len(" ".join([*kept, part])) > limit:
            break
        kept.append(part)
    return " ".join(kept)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
