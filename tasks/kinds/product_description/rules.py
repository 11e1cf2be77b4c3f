"""``product_description``'s rules: in the requested locale; title, body and each bullet
within their limits, one to ``max_bullets`` bullets; citations name the metadata or a
given reference and quote it word for word; and the facts that can be checked come only
from the metadata or the references: every number, and every material of a known list
(English names; a translated material name is not checked). Nothing is pruned."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, too_long, unknown_names
from tasks.kinds.product_description.models import (
    MAX_BULLET,
    ProductDescription,
    ProductDescriptionInput,
)

_NUMBER = re.compile(r"\d(?:[\d.,']*\d)?")
MATERIALS = frozenset(
    """cotton wool merino cashmere alpaca mohair silk linen hemp jute leather suede nubuck
    polyester nylon polyamide elastane spandex lycra acrylic viscose rayon lyocell tencel
    modal bamboo fleece denim steel aluminium aluminum titanium copper brass bronze zinc
    chrome platinum wood oak walnut beech pine teak maple birch plastic polycarbonate
    polypropylene glass ceramic porcelain stoneware rubber silicone neoprene cork marble
    granite concrete latex vinyl pvc kevlar gore-tex""".split()
)
_WORD = re.compile(r"[a-z][a-z-]*[a-z]")


def in_the_requested_locale(
    job: ProductDescriptionInput, output: ProductDescription
) -> Iterator[str]:
    if output.outcome == "written" and output.locale != job.locale:
        yield f"locale: must be the requested locale ({job.locale})"


def within_limits(job: ProductDescriptionInput, output: ProductDescription) -> Iterator[str]:
    yield from too_long("title", output.title, job.max_title)
    yield from too_long("body", output.body, job.max_body)
    for index, bullet in enumerate(output.bullets):
        yield from too_long(f"bullets[{index}]", bullet, MAX_BULLET)
    if len(output.bullets) > job.max_bullets:
        yield f"bullets: {len(output.bullets)} bullets, at most {job.max_bullets} allowed"
    if output.outcome == "written":
        if not output.bullets:
            yield "bullets: give at least one"
        if not output.title.strip() or not output.body.strip():
            yield "title and body: both are needed"
    elif output.title or output.body or output.bullets or output.citations:
        yield "title: a refusal carries no title, body, bullets or citations"


def citations_name_given_sources(
    job: ProductDescriptionInput, output: ProductDescription
) -> Iterator[str]:
    sources = job.sources()
    yield from unknown_names("citations.source", [c.source for c in output.citations], sources)
    for index, citation in enumerate(output.citations):
        if citation.source in sources:
            yield from not_in_text(
                f"citations[{index}].quote", citation.quote, sources[citation.source]
            )


def numbers_come_from_the_sources(
    job: ProductDescriptionInput, output: ProductDescription
) -> Iterator[str]:
    """A number is grounded when its digits, or each of its digit groups, occur as a
    number of the metadata or references (``2,5`` for ``2.5`` and ``1,200`` for ``1200``
    are the same number written for another locale)."""
    grounding = " ".join(job.sources().values())
    known = {_digits(n) for n in _NUMBER.findall(grounding)}
    groups = {g for n in _NUMBER.findall(grounding) for g in re.findall(r"\d+", n)}
    for field, text in _texts(output):
        for number in _NUMBER.findall(text):
            if _digits(number) not in known and not set(re.findall(r"\d+", number)) <= groups:
                yield f"{field}: a number that neither the metadata nor the references give"
                break


def materials_come_from_the_sources(
    job: ProductDescriptionInput, output: ProductDescription
) -> Iterator[str]:
    grounding = set(_WORD.findall(" ".join(job.sources().values()).lower()))
    for field, text in _texts(output):
        invented = sorted((set(_WORD.findall(text.lower())) & MATERIALS) - grounding)
        if invented:
            yield f"{field}: a material that neither the metadata nor the references name"


def _texts(output: ProductDescription) -> list[tuple[str, str]]:
    bullets = [(f"bullets[{i}]", bullet) for i, bullet in enumerate(output.bullets)]
    return [("title", output.title), ("body", output.body), *bullets]


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


RULES: Rules[ProductDescriptionInput, ProductDescription] = Rules(
    [
        in_the_requested_locale,
        within_limits,
        citations_name_given_sources,
        numbers_come_from_the_sources,
        materials_come_from_the_sources,
    ]
)
