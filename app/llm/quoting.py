"""A message's own text and the older mail it quotes or forwards.

A customer's e-mail often carries an older message below its own text: a forwarded
order confirmation, the reply it answers ("On 3 May, Ann wrote:"), lines starting
with ">". That material is older context, not what the message says now, so the
extractive provider ranks it below the message's own sentences (app/llm/extractive.py).
"""

from __future__ import annotations

import re

# A header that starts the older part: everything below it is quoted (mail clients put
# the new text on top). English, French, German, Spanish, Italian and Portuguese clients.
_HEADER = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*[^-\n]{0,30}?(?:forward|original|message|transféré|weitergeleitet|nachricht|"
    r"reenviado|mensaje|inoltrato|messaggio|encaminhad|mensagem|origine)[^-\n]{0,30}-{2,}"
    r"|_{5,}"  # Outlook's rule above "From: ..."
    r"|(?:begin forwarded message|début du message réexpédié|inicio del mensaje reenviado|"
    r"anfang der weitergeleiteten (?:nachricht|e-mail))\s*:"
    r"|(?:on|le|am|el|il|em)\s.{4,200}?"
    r"(?:wrote|a écrit|schrieb|escribió|ha scritto|escreveu)(?:\s[^\n:]{0,120})?\s*:"
    r")\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FROM_BLOCK = re.compile(
    r"^\s*(?:from|de|von|da)\s*:.*\n\s*(?:sent|date|envoyé|gesendet|datum|enviado(?: el)?|"
    r"inviato|data|"
    r"to|à|an|para|a|subject|objet|betreff|asunto|oggetto)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTE_MARK = re.compile(r"^[ \t]*>[> \t]*", re.MULTILINE)
_SIGNATURE = re.compile(r"^[ \t]*(?:--|_{3,}|={3,})[ \t]*$")
"""The signature delimiter ("-- " on a line of its own, RFC 3676; often without its
space), or a rule drawn above a footer."""
_CLOSING = re.compile(
    r"^[ \t]*(?:(?:kind|best|warm|many thanks and)?[ \t]*regards|best wishes|sincerely|"
    r"yours (?:sincerely|faithfully|truly)|cheers|mit freundlichen grüßen|viele grüße|"
    r"beste grüße|freundliche grüße|cordialement|bien cordialement|bien à vous|"
    r"salutations distinguées|un saludo|saludos(?: cordiales)?|atentamente|"
    r"cordiali saluti|distinti saluti)[ \t]*[,.!]?[ \t]*$",
    re.IGNORECASE,
)
"""A closing on a line of its own ("Kind regards,"): what follows is the signature."""


def split_quoted(text: str) -> tuple[list[str], list[str]]:
    """``text``'s own lines and its quoted lines, each a substring of ``text`` (so a
    sentence taken from either is quoted exactly): quoted are the lines from the first
    forward or reply header on, and every line starting with ">" (without its marks)."""
    starts = [m.start() for m in (_HEADER.search(text), _FROM_BLOCK.search(text)) if m]
    cut = min(starts, default=len(text))
    own: list[str] = []
    quoted: list[str] = []
    for line in text[:cut].splitlines():
        mark = _QUOTE_MARK.match(line)
        (quoted if mark else own).append(line[mark.end() :] if mark else line)
    quoted += [_QUOTE_MARK.sub("", line, count=1) for line in text[cut:].splitlines()]
    return own, quoted


def split_footer(lines: list[str]) -> tuple[list[str], list[str]]:
    """A message's own ``lines`` (from :func:`split_quoted`) and its footer: the lines
    below the signature delimiter or the closing ("Kind regards,"). A footer is the
    sender's standing boilerplate (a name, office hours, list prices for new customers,
    legal notes), written once for every message: it does not say what this one
    answers."""
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line):
            return lines[:index], lines[index + 1 :]
        if _CLOSING.match(line):  # the closing stays: it is the writer's own line
            return lines[: index + 1], lines[index + 1 :]
    return lines, []
