"""Splitting a document into overlapping passages.

Chunks are runs of whole words, ``size`` words long, each starting ``size - overlap``
words after the one before, so a sentence cut at one edge is whole in the neighbour.
160 words (about 210 tokens) fit the 256-token window of MiniLM-class embedders and
are far below OpenAI's limit; the title leads the first chunk, so a passage that
names its subject only in the title still matches.
"""

from __future__ import annotations


def chunk_text(title: str, body: str, *, size: int, overlap: int) -> list[str]:
    """The chunks of a document; at least one, even for an empty body."""
    words = body.split()
    step = max(size - overlap, 1)
    chunks = []
    for start in range(0, max(len(words) - overlap, 1), step):
        chunks.append(" ".join(words[start : start + size]))
    first = " ".join(title.split())
    chunks[0] = f"{first}\n{chunks[0]}" if chunks[0] else first
    return chunks
