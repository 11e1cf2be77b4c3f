"""The built-in extractive provider: deterministic, grounded, no network.

It ranks the sentences of the sources by how many of the question's content
words they share and hands the best ones, in source order, to the kind's
composer. Whatever it outputs is quoted from the sources, so it cannot invent
facts; it reports ``model="extractive"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.llm.errors import InvalidModelOutput
from app.llm.provider import Extract, Generation, GenerationRequest, OutputT, Source

QUARANTINE_MARK = "[quarantined:"
"""How the placeholder of a quarantined sentence starts (app/safety/injection.py)."""
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_STOPWORDS = frozenset(
    """a about above after again all am an and any are as at be been before being below
    between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me
    more most my no nor not now of off on once only or other our ours out over own please
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your yours hi hello thanks thank regards dear""".split()
)


def content_words(text: str) -> set[str]:
    """Stems of the lower-cased words of ``text`` that carry meaning (no stopwords,
    no one-letter words), so "refunds" matches "refund"."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _STOPWORDS}


def _stem(word: str) -> str:
    # A crude suffix strip is enough to match plurals and tenses of the same word.
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    # "arrive" and "arriving" both become "arriv".
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


_TO_THE_MODEL = re.compile(
    r"\b(?:ignore (?:all |any )?(?:the )?(?:previous|prior|above|rules)|instructions|"
    r"system (?:note|prompt)|assistant|language model)\b",
    re.IGNORECASE,
)


def addressed_to_the_model(text: str) -> bool:
    """Whether ``text`` speaks to the model ("ignore the previous instructions ...")
    rather than about its subject: a composer that copies input text whole leaves such
    text out (an injected instruction is never repeated as if it were a fact). The
    injection detector's shapes count too (app/safety/injection.py: other languages,
    obfuscation, fake roles)."""
    # Imported here: the detector itself splits text with this module's sentences().
    from app.safety.injection import suspect

    return _TO_THE_MODEL.search(text) is not None or suspect(text)


def choose_extracts(question: str, sources: Sequence[Source], limit: int = 3) -> list[Extract]:
    """The ``limit`` sentences that best answer the question, in source order.

    A sentence scores the share of the question's content words it contains, plus a
    bonus when it has the shape of the answer (a time for "when", a number for "how
    many"); a sentence that is itself a question counts half: it restates, it does
    not answer.
    """
    wanted = content_words(question)
    shape = _answer_shape(question)
    ranked: list[tuple[float, int, Extract]] = []
    position = 0
    for source in sources:
        for sentence in sentences(source.text):
            if sentence.startswith(QUARANTINE_MARK):  # never quote a quarantined sentence
                position += 1
                continue
            shared = wanted & content_words(sentence)
            if shared:
                score = len(shared) / len(wanted)
                if shape is not None and shape.search(sentence):
                    score += 0.5
                if sentence.endswith("?"):
                    score /= 2
                ranked.append((score, position, Extract(source.id, sentence, round(score, 3))))
            position += 1
    best = sorted(ranked, key=lambda item: (-item[0], item[1]))[:limit]
    return [extract for _, _, extract in sorted(best, key=lambda item: item[1])]


_TIME = re.compile(
    r"\d|\b(?:today|tomorrow|tonight|yesterday|morning|afternoon|evening|week|weeks|month|months|year|years|"
    r"day|days|hour|hours|minute|minutes|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|soon|asap)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
_ANSWER_SHAPES = (
    ("how long", _TIME),
    ("when", _TIME),
    ("how much", _NUMBER),
    ("how many", _NUMBER),
)


def _answer_shape(question: str) -> re.Pattern[str] | None:
    lowered = question.lower()
    return next((shape for words, shape in _ANSWER_SHAPES if words in lowered), None)


class ExtractiveProvider:
    name = "extractive"

    def __init__(self, max_extracts: int = 3) -> None:
        self.max_extracts = max_extracts

    async def generate(self, request: GenerationRequest[OutputT]) -> Generation[OutputT]:
        extracts = choose_extracts(request.question, request.sources, self.max_extracts)
        output = request.compose_extractive(extracts)
        # Validate like any provider's answer: the composer must produce a valid output
        # that keeps the kind's rules (pruned if the kind prunes), or nothing is delivered.
        validated = request.output_model.model_validate(output.model_dump())
        if request.rules is not None and request.rules.problems(validated):
            pruned = request.rules.pruned(validated)
            if pruned is None:
                raise InvalidModelOutput()
            validated = pruned
        return Generation(output=validated, model=self.name, prompt_version=request.prompt_version)
