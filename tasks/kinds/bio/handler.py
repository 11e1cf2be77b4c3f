"""``bio``'s handler and its fallback: when no model answers (none configured, or every
model of the chain failed), a template bio is filled in from the profile's fields as
given, sentence by sentence while the length allows, and the job's ``model`` says
``template``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import addressed_to_the_model
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.routing import EXTRACTIVE
from app.prompts.templates import KindPrompts
from tasks.kinds.bio.models import Bio, BioInput, Position, Profile
from tasks.kinds.bio.rules import FIRST_PERSON, RULES

PROMPTS = KindPrompts.beside(__file__, "bio")
TEMPLATE = "template"
"""The ``model`` of a bio the template wrote."""
_POSSESSIVE = {"she": "Her", "he": "His", "they": "Their"}


async def write_bio(job: BioInput, provider: Provider) -> KindResult:
    request = GenerationRequest(
        prompt=PROMPTS.call("bio", profile=job.profile, tone=job.tone, max_words=job.max_words),
        prompt_version=PROMPTS.current,
        question="",
        sources=[Source(id="profile", text=job.profile.as_text())],
        output_model=Bio,
        rules=RULES.bind(job),
        compose_extractive=partial(template_bio, job),
        compose_refusal=refuse,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        # The extractive provider has nothing to extract from a profile: the template wrote it.
        model=TEMPLATE if generation.model == EXTRACTIVE else generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def template_bio(job: BioInput, extracts: Sequence[Extract] = ()) -> Bio:
    """The template bio: the current role, earlier roles, skills and achievements, each
    as given (a field in the first person or addressed to the model is left out), as
    many sentences as fit in the requested length."""
    profile = job.profile
    name = " ".join(profile.name.split())
    # Friendly: the first name after the first mention; else the full name.
    short = name.split()[0] if job.tone == "friendly" else name
    possessive = _POSSESSIVE.get(profile.pronouns or "", f"{short}'s")
    at = f" at {profile.organization}" if profile.organization else ""
    sentences = [_ended(f"{name} is {profile.role}{at}")]
    earlier = [_position(p) for p in profile.experience if _usable(_position(p))]
    if earlier:
        sentences.append(_ended(f"Earlier roles include {_listed(earlier[:3])}"))
    skills = [s for s in profile.skills if _usable(s)]
    if skills:
        sentences.append(_ended(f"{possessive} skills include {_listed(skills[:6])}"))
    bio = _within(sentences, job.max_words)
    achievements = [a.rstrip(".") for a in profile.achievements if _usable(a)]
    # As many achievements as still fit, in the profile's order.
    for count in range(len(achievements), 0, -1):
        longer = bio + " " + _ended(f"Notable achievements: {'; '.join(achievements[:count])}")
        if bio and len(longer.split()) <= job.max_words:
            bio = longer
            break
    if not bio:
        return refuse(f"the name and role alone exceed {job.max_words} words")
    return Bio(bio=bio, outcome="written")


def refuse(reason: str) -> Bio:
    return Bio(bio="", outcome="refused", refusal_reason=reason)


def _ended(sentence: str) -> str:
    """``sentence`` with one full stop at its end (a name may end with one: "Inc.")."""
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def _usable(field: str) -> bool:
    """A field the template may copy: not in the first person, not addressed to the model."""
    return not FIRST_PERSON.search(field) and not addressed_to_the_model(field)


def _position(position: Position) -> str:
    at = f" at {position.organization}" if position.organization else ""
    start, end = position.start_year, position.end_year
    years = f" ({start}–{end})" if start and end else f" (from {start})" if start else ""
    return f"{position.role}{at}{years}"


def _listed(items: Sequence[str]) -> str:
    items = [item.rstrip(".") for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _within(sentences: Sequence[str], max_words: int) -> str:
    """The leading sentences that fit in ``max_words`` words together."""
    kept: list[str] = []
    for sentence in sentences:
        if len(" ".join([*kept, sentence]).split()) > max_words:
            break
        kept.append(sentence)
    return " ".join(kept)


__all__ = ["PROMPTS", "TEMPLATE", "Profile", "refuse", "template_bio", "write_bio"]
