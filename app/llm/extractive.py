"""The built-in extractive provider: deterministic, grounded, no network.

It ranks the sentences of the sources by how many of the question's content
words they share and hands the best ones, in source order, to the kind's
composer. Whatever it outputs is quoted from the sources, so it cannot invent
facts; it reports ``model="extractive"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.llm.errors import InvalidModelOutput
from app.llm.measures import disagree, measures, several_values
from app.llm.provider import Extract, Generation, GenerationRequest, OutputT, Source
from app.llm.quoting import split_footer, split_quoted
from app.llm.relevance import (
    Focus,
    Mention,
    another_name,
    carries,
    labelled_subjects,
    mentions,
    proper_names,
    sibling,
    subjects,
)
from app.llm.staleness import stale_sources

QUARANTINE_MARK = "[quarantined:"
"""How the placeholder of a quarantined sentence starts (app/safety/injection.py)."""
_WORD = re.compile(r"[^\W_]+(?:'[^\W\d_]+)?")  # any script: "bestätigen" is one word
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_STOPWORDS = frozenset(
    """a about above after again all am an and any are as at be been before being below
    between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me
    more most my no nor not now of off on once only or other our ours out over own please
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your yours hi hello thanks thank regards dear i'm i've
    i'd i'll we're we've you're it's don't doesn't didn't can't won't isn't aren't""".split()
    # How a request is put, in the other languages customers write in: it asks, it does
    # not say what about ("Bitte bestätigen: Notdienstzuschlag?").
    + """bitte bestätigen können sie mir ich uns pouvez vous confirmer merci svp pueden
    puede confirmar por favor""".split()
    # The function words of those languages (articles, pronouns, prepositions, question
    # words, auxiliaries), as English's above: "Combien de temps le stockage est-il
    # gratuit ?" asks about storage, not about "le" or "il". Words that are also English
    # content words ("son", "mon", "ton", "est" as a time zone, "hat") are left out.
    + """le la les un une des du au aux et ou sont il elle ils elles je tu nous on ce cet
    cette ces ma mes ta tes sa ses notre votre leur leurs qui quoi quel quelle quels
    quelles combien comment quand où pourquoi pour par pendant dans en sur avec sans pas ne
    ai avez avons peut puis peux pouvons faut si der die das den dem ein eine einen einem
    einer eines und oder ist sind wird werden kann was wie wann wo warum wer welche welcher
    welches mit für von zu zum zur im am auf bei nach aus mein meine meinen meinem meiner
    meines dein deine ihr ihre ihren ihrem unser unsere unseren es er wir habe haben lange
    el los las unos unas es está están de del al con para mis su sus nuestro nuestra
    nuestros qué que cuál cuánto cuánta cuántos cuándo cómo dónde se lo le puedo hay""".split()
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


_MONTH_NAMES = (
    "january february march april may june july august september october november december "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "januar februar märz juni juli oktober dezember enero febrero marzo abril mayo junio "
    "julio agosto septiembre octubre noviembre diciembre"
)
_ORDINAL_DATE = re.compile(
    r"(?<!\d)\d{1,2}\.(\s+)(?=(?i:" + "|".join(_MONTH_NAMES.split()) + r")\b)"
)


_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:excl|incl|approx|ca|vs|e\.g|i\.e|z\.\s?B|inkl|zzgl|exkl|p\.\s?ex|aprox|"
    r"mr|mrs|ms|dr|nr)\.$",
    re.IGNORECASE,
)
"""An abbreviation's point ("£2,920 excl. VAT") ends no sentence."""


def sentences(text: str) -> list[str]:
    # "1. März 2026" is one date: a day written as an ordinal does not end a sentence.
    joined = {m.start(1) for m in _ORDINAL_DATE.finditer(text)}
    found: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith((" ", "\t")) and _ABBREVIATION.search(text[start : m.start()]):
            continue
        if m.start() not in joined:
            found.append(text[start : m.start()])
            start = m.end()
    found.append(text[start:])
    return [s.strip() for s in found if s.strip()]


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


QUOTED = 0.5
"""Weight of a sentence of forwarded or quoted older mail (app/llm/quoting.py)."""
CONFLICTING = 0.25
"""Weight of a sentence naming another entity of an asked shape (order 4410 for 5521), or
of a source titled after one (the Team plan's article for the Business plan): low enough
that a kind with a threshold escalates rather than answer from it."""
MATCHING = 0.5
"""Rank bonus of a sentence naming an asked identifier or name; half for its source."""
HEADING = 0.5
"""Rank bonus of a sentence whose source's title carries all the question's words."""


@dataclass
class _Candidate:
    extract: Extract
    position: int
    source: int
    ours: bool | None
    shared: frozenset[str]
    shaped: bool
    """It has the shape of the answer (a time for "when")."""
    heading: float = 0.0
    """The share of the question's words its source's title carries."""
    bonus: float = 0.0
    disfavoured: bool = False

    @property
    def rank(self) -> float:
        return self.extract.score + self.bonus + HEADING * self.heading

    def weigh(self, weight: float) -> None:
        extract = self.extract
        self.extract = replace(extract, score=round(extract.score * weight, 3))
        self.disfavoured = True


@dataclass(frozen=True)
class Choice:
    extracts: list[Extract]
    conflict: str | None = None
    """Why the sources answer differently for entities the question does not choose
    between (the Team plan's article says 7 days, the Business plan's 30, and nothing
    says which plan the customer is on); None: no such conflict."""
    contested: str | None = None
    """Why the best answer's figure is not given: another source, as relevant, states
    another figure of the same kind on the same point, and nothing says it was replaced."""


def choose_extracts(
    question: str, sources: Sequence[Source], limit: int = 3, about: str = ""
) -> list[Extract]:
    """:func:`choose`'s extracts."""
    return choose(question, sources, limit, about).extracts


def choose(question: str, sources: Sequence[Source], limit: int = 3, about: str = "") -> Choice:
    """The ``limit`` sentences that best answer the question, in source order.

    A sentence scores the share of the question's content words it contains, plus a
    bonus when it has the shape of the answer (a time for "when", a number for "how
    many"); a sentence that is itself a question counts half: it restates, it does
    not answer. Then the source has to be the right one (``about`` names what the
    question is about): a sentence naming the asked order, plan or model ranks higher;
    one from forwarded mail, one from a source about another entity, or one naming
    another entity weighs less, and is used only when it still outranks every sentence
    without such a flaw; one a later answer of ours on the same point supersedes is
    not used. A source marked archived or outdated, or dated before another on the same
    topic, weighs less too (app/llm/staleness.py). A sentence whose figure another
    sentence on the same point contests (:func:`_contested`) is left out, and when that
    is the best one the choice says so (``contested``): the kind escalates or refuses.
    """
    candidates = _candidates(question, sources, about)
    known = [text for source in sources for text in (source.title or "", source.text)]
    _judge(candidates, sources, Focus.of(question, about, sources=known, leading=True))
    asked = subjects(question) | subjects(about) | proper_names(question)
    _siblings(candidates, sources, asked, f"{question}\n{about}")
    stale = stale_sources(sources)
    for candidate in candidates:
        if candidate.source in stale:
            candidate.weigh(CONFLICTING)
    candidates = _corrected(_exceptions_apply(_supersede(candidates, sources)), sources)
    clean = [c.rank for c in candidates if not c.disfavoured]
    floor = max(clean, default=0.0)
    usable = [c for c in candidates if not c.disfavoured or c.rank >= floor]
    best = sorted(usable, key=lambda c: (-c.rank, c.position))[:limit]
    conflict = _conflict(best, candidates, sources)
    chosen = _one_amount(_without_alternatives(best), question)
    named = {m for source in sources for m in mentions(_own(source))}
    contested = [c for c in chosen if _contested(c, candidates, sources, named)]
    disputed = None
    if chosen and contested and contested[0] is chosen[0]:
        disputed = "the sources give different figures on the point asked"
    extracts = [c.extract for c in sorted(chosen, key=lambda c: c.position) if c not in contested]
    return Choice(extracts, conflict, disputed)


SAME_POINT = 0.75
"""The share of a sentence's question words another must carry to be on its point."""


def _contested(
    one: _Candidate, candidates: list[_Candidate], sources: Sequence[Source], named: set[Mention]
) -> bool:
    """Another sentence, on the same point and about the same entity, states another
    value of a unit ``one`` states (€16.79 against €18.16), and no rule weighed it down
    or removed it (forwarded, stale, about another entity, replaced by a correction). Picking
    one would be a guess from rank alone: the note for annual contracts, a draft, a
    rounded newsletter figure and the tariff all read alike to an extractive answer."""
    if not measures(one.extract.cited):
        return False
    if _alternatives(one.extract.cited):
        return True
    ours = _named_in(one.extract.text, named)
    for other in candidates:
        if other is one or other.disfavoured or other.extract.text == one.extract.text:
            continue
        if len(other.shared & one.shared) < SAME_POINT * len(one.shared):
            continue
        theirs = _named_in(other.extract.text, named)
        if any(not ours[shape] & theirs[shape] for shape in ours.keys() & theirs.keys()):
            continue  # names another order, plan or model: an alternative, not a rival
        if disagree(one.extract.cited, other.extract.cited):
            return True
    return False


def _one_amount(chosen: list[_Candidate], question: str) -> list[_Candidate]:
    """A question asking how much, how long or when has one answer: the sentences
    after the best one that give another value of its unit (the payment partner's
    instalment fee beside the course's price) answer something else, and are left out,
    unless they cover another part of what it asks ("... and how much is the deposit?":
    a word of its asking sentences the best one lacks)."""
    if not chosen or _answer_shape(question) is None:
        return chosen
    # What is asked is in the sentences that ask ("How much is the cleaning fee and how
    # much is the deposit?"), not in those that tell ("I will pay in full by card.").
    asking = [s for s in sentences(question) if s.rstrip().endswith("?")]
    asked = content_words(" ".join(asking)) if asking else content_words(question)
    top = chosen[0]
    return [top] + [
        c
        for c in chosen[1:]
        if (c.shared & asked) - top.shared or not disagree(top.extract.cited, c.extract.cited)
    ]


def _alternatives(text: str) -> list[str]:
    """A sentence's slash-separated alternatives when they give several values of one
    unit ("£2,920 excl. VAT / £3,504 incl. VAT"); else none."""
    parts = text.split(" / ")
    return parts if len(parts) > 1 and several_values(text) else []


def _asked_alternative(text: str, wanted: set[str]) -> str:
    """The one alternative of ``text`` whose qualifier (the words after its figure:
    "incl. VAT", "students") the question names; else ``text``, whose alternatives
    then contest each other (:func:`_contested`)."""
    alternatives = _alternatives(text)
    qualifiers = [_qualifier(part) for part in alternatives]
    common = set.intersection(*qualifiers) if qualifiers else set()
    named = [
        part
        for part, words in zip(alternatives, qualifiers, strict=True)
        if any(_abbreviates(w, a) for w in words - common for a in wanted)
    ]
    return named[0].strip() if len(named) == 1 else text


def _qualifier(part: str) -> set[str]:
    """The word right after the alternative's figure ("excl", "incl", "students"): what
    follows it ("per month") may hold for every alternative."""
    figure = _FIGURE.search(part)
    words = _WORD.findall(part[figure.end() :].lower()) if figure else []
    return content_words(words[0]) if words else set()


def _abbreviates(one: str, other: str) -> bool:
    """One word is the other or its abbreviation ("incl" for "including")."""
    short, long = sorted((one, other), key=len)
    return long.startswith(short) and len(short) >= 3


def _corrected(candidates: list[_Candidate], sources: Sequence[Source]) -> list[_Candidate]:
    """``candidates`` without a figure a correction replaces: a later sentence of its
    own source that says it corrects it ("Edit: typo above, the correct amount is
    €6,785."), or a sentence on the same point that says so ("Correction: the cleaning
    fee is €60.") while it does not."""

    def replaced(one: _Candidate) -> bool:
        if _corrected_later(one, sources[one.source]):
            return True
        return not _REVISES.search(one.extract.text) and any(
            other is not one
            and _REVISES.search(other.extract.text)
            and len(other.shared & one.shared) >= SAME_POINT * len(one.shared)
            and disagree(one.extract.cited, other.extract.cited)
            for other in candidates
        )

    return [c for c in candidates if not replaced(c)]


def _corrected_later(one: _Candidate, source: Source) -> bool:
    """A later sentence of the same source says it corrects a figure and gives another
    of the same unit ("Edit: typo in the line above, the correct amount is €6,785.")."""
    start = source.text.find(one.extract.cited)
    if start < 0:
        return False
    after = source.text[start + len(one.extract.cited) :]
    return any(
        _REVISES.search(sentence) and disagree(one.extract.cited, sentence)
        for sentence in sentences(after)
    )


def _without_alternatives(best: list[_Candidate]) -> list[_Candidate]:
    """``best`` (ranked) without the sentences of other articles that give another
    figure on the same point as the best one and rank below it: another group's,
    product's or country's answer to the question (contractors' leave beside employees',
    the accessories' warranty beside the laptop's) is an alternative, not a complement,
    and the question already chose between them. Messages of a conversation are left to
    :func:`_supersede`."""
    if not best or best[0].ours is not None:
        return best
    top = best[0]
    figures = set(_FIGURE.findall(top.extract.text))
    if not figures:  # the best sentence gives no figure another one could contradict
        return best
    return [
        c
        for c in best
        if c.source == top.source
        or c.ours is not None
        or c.rank >= top.rank
        or not _same_point(top, c)
        or set(_FIGURE.findall(c.extract.text)) <= figures
    ]


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


CONTENDING = 0.75
"""A sentence of another source contends with the best one when it ranks at least this
share of it: close enough that nothing but its entity tells them apart."""


def _conflict(
    best: list[_Candidate], candidates: list[_Candidate], sources: Sequence[Source]
) -> str | None:
    """Two answers on the same point from sources about different entities of one shape
    (another plan, region or model), neither favoured by the question or its subject:
    which one applies is not determined."""
    if not best or best[0].disfavoured:
        return None
    top = best[0]
    named = {m for source in sources for m in mentions(_own(source))}
    contenders = [
        c
        for c in candidates
        if not c.disfavoured
        and c.source != top.source
        and c.rank >= CONTENDING * top.rank
        and _same_point(c, top)
    ]
    ours = _entities(top, sources[top.source], named)
    for contender in contenders:
        theirs = _entities(contender, sources[contender.source], named)
        for shape in ours.keys() & theirs.keys():
            if not ours[shape] & theirs[shape]:
                either = f"{_names(ours[shape])} or {_names(theirs[shape])}"
                return f"the sources differ by {shape}: {either}"
    return None


def _own(source: Source) -> str:
    own, _ = split_quoted(source.text)
    return "\n".join([source.title or "", *own])


def _entities(candidate: _Candidate, source: Source, named: set[Mention]) -> dict[str, set[str]]:
    """The entities a sentence is about, by shape: those it names, else the one its
    source (title and own text) names; a source naming several of a shape compares them
    and is about none."""
    found: dict[str, set[str]] = {}
    for shape, value in {m for m in named if carries(candidate.extract.text, m)}:
        found.setdefault(shape, set()).add(value)
    around: dict[str, set[str]] = {}
    for shape, value in {m for m in named if carries(_own(source), m)}:
        around.setdefault(shape, set()).add(value)
    for shape, values in around.items():
        if shape not in found and len(values) == 1:
            found[shape] = values
    return found


def _named_in(text: str, named: set[Mention]) -> dict[str, set[str]]:
    """The entities ``text`` itself names, by shape (not those of its source: a sentence
    that does not say which order its fee is for leaves the reader to guess)."""
    found: dict[str, set[str]] = {}
    for shape, value in {m for m in named if carries(text, m)}:
        found.setdefault(shape, set()).add(value)
    return found


def _names(values: set[str]) -> str:
    return "/".join(sorted(values))


def _candidates(question: str, sources: Sequence[Source], about: str = "") -> list[_Candidate]:
    """Every sentence that shares a content word with the question, scored; a sentence
    of quoted or forwarded mail, of a signature's footer or of a machine's summary
    already weighed down."""
    wanted = content_words(_PARENTHESIS.sub(" ", question)) or content_words(question)
    shape = _answer_shape(question)
    tier = Focus.of(question, about)
    found: list[_Candidate] = []
    position = 0
    titles = [content_words(source.title or "") for source in sources if source.title]
    shared_by_all = set.intersection(*titles) if titles else set()
    for index, source in enumerate(sources):
        # A title heads each of its sentences: "Acme Bank rates" says whose fee "The
        # card fee is €15." is, so the question's words it carries rank its sentences
        # above a sibling's ("Acme Direct rates"); they do not make a sentence answer.
        # A word the question does not use and the other titles lack names a sub-brand
        # or another line ("Acme Regional rates" beside "Acme rates"): half a word less.
        title = content_words(source.title or "")
        extra = title - wanted - shared_by_all if len(titles) > 1 else set()
        heading = (len(title & wanted) - len(extra) / 2) / max(len(wanted), 1)
        own, quoted = split_quoted(source.text)
        own, footer = split_footer(own)
        headers = table_headers(own + quoted)
        for sentence, is_quoted in _lines_sentences(own, footer + quoted):
            position += 1
            if sentence.startswith(QUARANTINE_MARK):  # never quote a quarantined sentence
                continue
            if sentence in headers.titles:  # a table's header row states nothing
                continue
            read = read_row(sentence, headers.rows.get(sentence), tier)
            if read is None and _cells(sentence) and several_values(sentence):
                continue  # a row of every column's values, none of them chosen
            # A row read in the asked column answers the rest of the question: the
            # words naming the column ("I am on the Pro plan") chose it.
            asked = wanted - content_words(read[2]) if read else wanted
            shared = asked & content_words(read[0] if read else sentence)
            if not shared:
                continue
            score = len(shared) / len(asked)
            quote = _asked_alternative(current_clause(sentence), wanted)
            shaped = shape is not None and shape.search(read[1] if read else quote) is not None
            if shaped:
                score += 0.5
            if sentence.endswith("?"):
                score /= 2
            extract = (
                Extract(source.id, read[0], round(score, 3), quote=read[1])
                if read
                else Extract(source.id, quote, round(score, 3))
            )
            found.append(
                _Candidate(
                    extract, position, index, source.ours, frozenset(shared), shaped, heading
                )
            )
            if machine_made(sentence) or hedged(sentence):
                found[-1].weigh(CONFLICTING)
            elif is_quoted:
                found[-1].weigh(QUOTED)
    return found


_MACHINE_MADE = re.compile(
    r"\b(?:generated automatically|automatically generated|auto-?generated|"
    r"automatic summary|machine[- ]generated)\b",
    re.IGNORECASE,
)
"""A sentence a machine wrote about a document (an attachment's automatic summary) is
a reading of it, secondhand: weighed like a source about another entity, it answers only
when nothing else does, and never past a kind's threshold (a misread figure in the
summary is not repeated; the document's own text, when given, is what counts)."""


_HEDGED = re.compile(
    r"\b(?:I think|I believe|I guess|I'm not sure|I am not sure|not sure|if I remember|"
    r"if I recall|I wasn't (?:in|at|there)|I was not (?:in|at|there)|probably|maybe|perhaps|"
    r"je crois|je pense|il me semble|peut-être|ich glaube|ich denke|ich meine|vielleicht|"
    r"wahrscheinlich|creo que|me parece|quizás?|tal vez|probablemente)\b",
    re.IGNORECASE,
)


def hedged(sentence: str) -> bool:
    """Whether ``sentence`` says its writer is unsure ("I think we agreed €8.00, but I
    wasn't in that meeting."): a guess is neither a fact to repeat nor a commitment."""
    return _HEDGED.search(sentence) is not None


def machine_made(sentence: str) -> bool:
    """Whether ``sentence`` says a machine wrote it (an attachment's automatic summary)."""
    return _MACHINE_MADE.search(sentence) is not None


_NEGATED = re.compile(
    r"\b(?:no longer|not any ?more|nicht mehr|keine? mehr|n'est plus|ne sont plus|n'y a plus|"
    r"ya no)\b[^:;]*?\s*[:;]\s*(?=\S)",
    re.IGNORECASE,
)


_FORMERLY = re.compile(
    r"\s*(?:\(\s*|,\s*|;\s*|\s-+\s*)(?:previously|formerly|was|down from|up from|"
    r"instead of|replacing|anciennement|auparavant|au lieu de|zuvor|vorher|bisher|statt|"
    r"anteriormente|antes|en lugar de)\b:?\s*(?:[$€£]|[A-Z]{3}\s)?\s?\d.*$",
    re.IGNORECASE,
)


_STRUCK = re.compile(r"~~[^~]+~~|<(s|del|strike)>.*?</\1>", re.IGNORECASE)
"""Struck-through text (Markdown ``~~€40~~``, HTML ``<del>``): deleted, shown only to
compare."""


def struck_out(value: str) -> str:
    """``value`` without the struck-through text before its last figure: "~~€73.75~~
    €58.60" -> "€58.60" (the price shown for comparison is not the value); else
    ``value`` itself."""
    struck = [m.end() for m in _STRUCK.finditer(value)]
    if struck and _FIGURE.search(value[struck[-1] :]):
        return value[struck[-1] :].strip()
    return value


def current_clause(sentence: str) -> str:
    """What ``sentence`` says holds now: what follows its last struck-through text
    ("Nightly rate: ~~£65.95~~ £58.50" -> "£58.50"), the clause after the one that
    negates an old value ("The fee is no longer €10: since 1 March it is €24." -> "since
    1 March it is €24."), or before the one that gives it ("The fee is €24 (previously
    €10)." -> "The fee is €24"), or the whole sentence. Quoting the old value beside the
    new one would hand the reader both; the clause is still scored as its whole sentence."""
    current = struck_out(sentence)
    if current != sentence:
        return current
    negated = _NEGATED.search(sentence)
    if negated:
        return sentence[negated.end() :]
    formerly = _FORMERLY.search(sentence)
    if formerly and formerly.start() > 0 and _FIGURE.search(sentence[: formerly.start()]):
        return sentence[: formerly.start()]
    return sentence


_CELLS = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$")


def _cells(line: str) -> list[str] | None:
    row = _CELLS.match(line)
    return [cell.strip() for cell in row.group(1).split("|")] if row else None


@dataclass(frozen=True)
class Tables:
    titles: frozenset[str]
    """The header rows (and the rules below them)."""
    rows: dict[str, list[str]]
    """Each other row, with the header cells of its table."""


def table_headers(lines: Sequence[str]) -> Tables:
    """The Markdown tables of ``lines``: their header rows, and each row's header."""
    titles: set[str] = set()
    rows: dict[str, list[str]] = {}
    header: list[str] | None = None
    for index, line in enumerate(lines):
        cells = _cells(line)
        if cells is None:
            header = None
        elif _RULE.match(line):
            titles.add(line.strip())
        elif index + 1 < len(lines) and _RULE.match(lines[index + 1]):
            header = cells
            titles.add(line.strip())
        elif header is not None and len(cells) == len(header):
            rows[line.strip()] = header
    return Tables(frozenset(titles), rows)


def read_row(row: str, header: list[str] | None, asked: Focus) -> tuple[str, str, str] | None:
    """A table row read in the one column the question or its subject names (the
    customer's plan or tier): "Card fee (Premium): €18.00", the cell it cites and what
    names the column ("Premium plan"). A row
    gives one value per column; quoting it whole would hand the reader every tier's.
    None: not a row, or no single column is named."""
    cells = _cells(row)
    if header is None or cells is None or len(cells) < 3:
        return None
    named = [i for i in range(1, len(header)) if header[i] and asked.matches(header[i])]
    if len(named) != 1 or not cells[named[0]]:
        return None
    column = named[0]
    # The question names the column with its kind of thing: "the Premium plan".
    kinds = [shape for shape, value in asked.asked if carries(header[column], (shape, value))]
    naming = " ".join([header[column], *kinds])
    return f"{cells[0]} ({header[column]}): {cells[column]}", cells[column], naming


_PARENTHESIS = re.compile(r"\([^()]*\)")
"""A question's parenthesis says which product, plan or site it is about ("the notice
period (Flat 4B, 12 Quay Street)"), not what it asks: a sentence answers by covering
the rest, and the parenthesis is matched against the sources by the question's focus
(app/llm/relevance.py), which favours a source naming it and weighs down one naming
another."""


def _lines_sentences(own: list[str], quoted: list[str]) -> list[tuple[str, bool]]:
    return [(s, False) for line in own for s in sentences(line)] + [
        (s, True) for line in quoted for s in sentences(line)
    ]


def _judge(candidates: list[_Candidate], sources: Sequence[Source], focus: Focus) -> None:
    """Favour sentences and sources about the asked entity; weigh down the others."""
    if not focus.asked:
        return
    off = [_off_source(source, focus) for source in sources]
    on = [focus.matches(source.title or "") or focus.matches(source.text) for source in sources]
    for candidate in candidates:
        text = candidate.extract.text
        if focus.matches(text):
            candidate.bonus = MATCHING
        elif on[candidate.source]:
            candidate.bonus = MATCHING / 2
        if off[candidate.source] or focus.conflicts(text):
            candidate.weigh(CONFLICTING)


def _siblings(
    candidates: list[_Candidate], sources: Sequence[Source], asked: set[str], said: str
) -> None:
    """Weigh down a sentence labelled with a sibling of the subject the question names
    in parentheses (Zone C's fee for a question about Zone A), or with another name
    nothing in the question or its subject (``said``) shares a word with ("Electric Van
    E2" for the Compact Class B), or from a source titled after one: like a source about
    another entity, it answers only when nothing else does (app/llm/relevance.py)."""
    if not asked:
        return
    for candidate in candidates:
        source = sources[candidate.source]
        named = labelled_subjects(candidate.extract.text, source.title)
        if not candidate.disfavoured and any(
            sibling(s, asked) or another_name(s, asked, said) for s in named
        ):
            candidate.weigh(CONFLICTING)


def _off_source(source: Source, focus: Focus) -> bool:
    # What the source says itself tells what it is about, not the mail it forwards.
    own, _ = split_quoted(source.text)
    return focus.about_another("\n".join(own), source.title)


def _supersede(candidates: list[_Candidate], sources: Sequence[Source]) -> list[_Candidate]:
    """``candidates`` without those a later message supersedes: a later answer of ours in
    the conversation on the same point replaces earlier words (the delivery date changed,
    the customer's guess was wrong), and so does an author's own later message on it,
    whichever side wrote it (a correction of their earlier figure). The same point: it
    covers all the question's words the earlier sentence covers, or both give an answer
    of the asked shape (a date for "when") about a word of the question they share."""
    answers = [c for c in candidates if c.ours is not None and not c.disfavoured]

    def replaces(later: _Candidate, earlier: _Candidate) -> bool:
        if later.source <= earlier.source or not _same_point(later, earlier):
            return False
        author = sources[earlier.source].author
        own_words = bool(earlier.ours) or (
            author is not None and sources[later.source].author == author
        )
        if own_words:
            # Our own earlier figure, or the author's: replaced only by a message that
            # says it corrects it. Two figures side by side without that are contested.
            return _REVISES.search(sources[later.source].text) is not None
        return bool(later.ours)

    return [
        c
        for c in candidates
        if c.ours is None or c.disfavoured or not any(replaces(a, c) for a in answers)
    ]


_REVISES = re.compile(
    r"\b(?:correct(?:ion|ed|ing)?|update[ds]?|revis(?:ed|ion)|recalculated|apolog(?:y|ies|ise|ize)|"
    r"sorry|mistake|wrong|erratum|instead|rectifi\w*|corrig\w*|erreur|désolée?|pardon|"
    r"korrig\w*|korrektur|fehler|entschuldig\w*|berichtig\w*|aktualisiert|"
    r"correcci[oó]n|correg\w*|disculp\w*|perd[oó]n|error|actualiza\w*)\b",
    re.IGNORECASE,
)
"""A message that says it corrects or updates what was said before, in the languages
customers write in ("Correction to my previous e-mail", "Ich korrigiere mich")."""


_EXCEPTION = re.compile(
    r"^\s*(?:except(?:ion)?s?|however|but|ausnahme|au(?:ß|ss)er|sauf|exception|excepto|"
    r"salvo|excepción)\b\s*[:,]?",
    re.IGNORECASE,
)


def _exceptions_apply(candidates: list[_Candidate]) -> list[_Candidate]:
    """``candidates`` without a general rule whose own source's exception names the
    asked case: "Flexible bookings can be cancelled up to 48 hours before arrival.
    Except: Advance Saver bookings only within 24 hours of booking." answers a customer
    on the Advance Saver rate with the exception alone, as a careful agent would. An
    exception qualifies the rule before it in its source; it names the asked case when
    it carries words of the question the rule lacks, and at least as many."""
    exceptions = [c for c in candidates if _EXCEPTION.match(c.extract.text)]

    def overruled(rule: _Candidate) -> bool:
        return any(
            e.source == rule.source
            and e.position > rule.position
            and e.shared - rule.shared
            and len(e.shared) >= len(rule.shared)
            and _FIGURE.search(rule.extract.text) is not None
            for e in exceptions
        )

    return [c for c in candidates if c in exceptions or not overruled(c)]


def _same_point(later: _Candidate, earlier: _Candidate) -> bool:
    if later.shared >= earlier.shared:
        return True
    return later.shaped and earlier.shaped and bool(later.shared & earlier.shared)


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
    ("deadline", _TIME),
    # The same questions as customers ask them in French, German and Spanish.
    ("combien de temps", _TIME),
    ("quand", _TIME),
    ("wie lange", _TIME),
    ("wann", _TIME),
    ("cuánto tiempo", _TIME),
    ("cuándo", _TIME),
    ("combien", _NUMBER),
    ("wie viel", _NUMBER),
    ("cuánto", _NUMBER),
)


def _answer_shape(question: str) -> re.Pattern[str] | None:
    lowered = question.lower()
    return next((shape for words, shape in _ANSWER_SHAPES if words in lowered), None)


class ExtractiveProvider:
    name = "extractive"

    def __init__(self, max_extracts: int = 3) -> None:
        self.max_extracts = max_extracts

    async def generate(self, request: GenerationRequest[OutputT]) -> Generation[OutputT]:
        choice = choose(request.question, request.sources, self.max_extracts, request.about)
        contested = request.compose_contested or request.compose_conflict
        if choice.conflict is not None and request.compose_conflict is not None:
            output = request.compose_conflict(choice.conflict)
        elif choice.contested is not None and contested is not None:
            output = contested(choice.contested)
        else:
            output = request.compose_extractive(choice.extracts)
        # Validate like any provider's answer: the composer must produce a valid output
        # that keeps the kind's rules (pruned if the kind prunes), or nothing is delivered.
        validated = request.output_model.model_validate(output.model_dump())
        if request.rules is not None and request.rules.problems(validated):
            pruned = request.rules.pruned(validated)
            if pruned is None:
                raise InvalidModelOutput()
            validated = pruned
        return Generation(output=validated, model=self.name, prompt_version=request.prompt_version)
