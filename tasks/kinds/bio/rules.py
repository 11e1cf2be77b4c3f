"""``bio``'s rules: third person (no first-person pronoun), at most the requested length
in words, and names only from the profile: a capitalised word past the start of a
sentence (a person, an employer, a product, a place) must be a word of the profile.
A name at the start of a sentence is not checked (it cannot be told from an ordinary
capitalised word). Nothing is pruned."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.llm.rules import Rules
from tasks.kinds.bio.models import Bio, BioInput

FIRST_PERSON = re.compile(
    r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|[Uu]s|[Oo]ur|[Oo]urs|[Oo]urselves)\b"
)
"""First-person pronouns (``US``, the country, is not one)."""
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
_WORD = re.compile(r"[\w-]+")


def third_person(job: BioInput, output: Bio) -> Iterator[str]:
    if FIRST_PERSON.search(output.bio):
        yield "bio: write in the third person (no I, me, my, we, us or our)"


def within_length(job: BioInput, output: Bio) -> Iterator[str]:
    words = len(output.bio.split())
    if words > job.max_words:
        yield f"bio: {words} words, at most {job.max_words} allowed ({job.length})"
    if output.outcome == "written" and not words:
        yield "bio: empty"
    if output.outcome == "refused" and words:
        yield "bio: a refusal carries no bio"


def names_only_from_the_profile(job: BioInput, output: Bio) -> Iterator[str]:
    known = {w.casefold() for w in _WORD.findall(job.profile.as_text())}
    for index, sentence in enumerate(_SENTENCE.split(output.bio)):
        # The first word of a sentence is capitalised whatever it is.
        for name in _CAPITALISED.findall(sentence)[1 if sentence[:1].isupper() else 0 :]:
            if name.casefold().removesuffix("'s") not in known:
                yield (
                    f"bio, sentence {index + 1}: a name that is not in the profile; "
                    "use only the names the profile gives"
                )
                break


RULES: Rules[BioInput, Bio] = Rules([third_person, within_length, names_only_from_the_profile])
