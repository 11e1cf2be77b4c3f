"""Embeddings behind one interface: :class:`Embedder` turns texts into unit vectors
of :data:`DIMENSIONS` numbers, and names the model that made them (recorded with
every stored embedding).

Two kinds:

* :class:`HashedEmbedder` (model ``hashed-ngrams-384``), the offline default: words,
  word pairs and character trigrams hashed into 384 signed buckets, log-weighted and
  normalised. No network, no download, no dependency, deterministic across processes
  and machines. It is lexical, not semantic: it finds passages that share words and
  word fragments with the query (plurals, inflections, typos), not paraphrases;
  bench/RESULTS.md gives its recall on the eval set beside its speed.
* :class:`OpenAIEmbedder`: any OpenAI-compatible ``/embeddings`` endpoint, the same
  provider settings as the chat models (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``), the
  model from ``COURIER_EMBEDDING_MODEL``, asked for 384 dimensions.

:class:`Embedders` gives the embedder of a model name: search embeds its query with
the *active* model, which may be an older one than the configured model while a
change of model is being filled in (migrations/0019_documents.sql, embedding_models).
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import openai

from app.errors import CourierError
from app.llm.openai_client import openai_client
from app.llm.openai_errors import calling_provider

if TYPE_CHECKING:
    from app.settings import Settings

DIMENSIONS = 384
"""Every stored embedding has 384 dimensions (chunk_embeddings.embedding)."""
HASHED_MODEL = "hashed-ngrams-384"

_WORD = re.compile(r"[a-z0-9]+")


class EmbedderUnavailable(CourierError):
    """No embedder can make embeddings of this model here."""


class Embedder(Protocol):
    model: str

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector of :data:`DIMENSIONS` floats per text, in order."""
        ...


def _stem(word: str) -> str:
    # Plurals and common inflections share a bucket ("refunds", "refunded" → "refund").
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def hashed_features(text: str) -> Counter[str]:
    """What the hashed embedder counts: stemmed words (weight 2), neighbouring word
    pairs, and the character trigrams of each word with its edges marked."""
    words = [_stem(w) for w in _WORD.findall(text.lower())]
    features: Counter[str] = Counter()
    for word in words:
        features["w:" + word] += 2
        marked = f"<{word}>"
        for i in range(len(marked) - 2):
            features[marked[i : i + 3]] += 1
    for left, right in zip(words, words[1:], strict=False):
        features[f"p:{left} {right}"] += 1
    return features


def hashed_vector(text: str) -> list[float]:
    """The offline embedding of ``text``: each feature's log count added to a bucket
    (crc32 of the feature), with a sign from another bit of the hash so collisions
    cancel rather than pile up; then normalised to unit length."""
    vector = [0.0] * DIMENSIONS
    for feature, count in hashed_features(text).items():
        digest = zlib.crc32(feature.encode())
        weight = 1.0 + math.log(count)
        vector[digest % DIMENSIONS] += weight if digest & 0x80000000 else -weight
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


class HashedEmbedder:
    """The offline default (see the module docstring)."""

    model = HASHED_MODEL

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [hashed_vector(text) for text in texts]


class OpenAIEmbedder:
    """An OpenAI-compatible ``/embeddings`` endpoint; errors are the model layer's
    (:mod:`app.llm.errors`: transient ones are retried by the embedding job)."""

    def __init__(self, client: openai.AsyncOpenAI, model: str) -> None:
        self.client = client
        self.model = model

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        with calling_provider():
            answer = await self.client.embeddings.create(
                model=self.model, input=list(texts), dimensions=DIMENSIONS
            )
        vectors = [item.embedding for item in sorted(answer.data, key=lambda item: item.index)]
        if len(vectors) != len(texts) or any(len(v) != DIMENSIONS for v in vectors):
            raise EmbedderUnavailable(
                f"{self.model} answered {len(vectors)} embeddings for {len(texts)} texts, "
                f"not all of {DIMENSIONS} dimensions"
            )
        return [_unit(v) for v in vectors]


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


class Embedders:
    """The embedder of each model this process can run: the offline one always, the
    provider's models when an API key or a base URL is configured."""

    def __init__(
        self,
        configured: str | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.configured = configured or HASHED_MODEL
        """The model new chunks are embedded with and that becomes active once complete."""
        self._hashed = HashedEmbedder()
        self._client = (
            openai_client(base_url=base_url, api_key=api_key, timeout=timeout)
            if api_key is not None
            else None
        )
        if self.configured != HASHED_MODEL and self._client is None:
            raise EmbedderUnavailable(
                f"COURIER_EMBEDDING_MODEL={self.configured} needs OPENAI_API_KEY or "
                "OPENAI_BASE_URL (unset it for the offline embedder)"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedders:
        llm = settings.llm
        return cls(
            settings.retrieval.embedding_model,
            # The chat provider's rule: a base URL without a key is a server that needs none.
            api_key=llm.provider_key(),
            base_url=llm.base_url,
            timeout=llm.timeout_seconds,
        )

    def get(self, model: str) -> Embedder:
        if model == HASHED_MODEL:
            return self._hashed
        if self._client is None:
            raise EmbedderUnavailable(
                f"embeddings of {model} need OPENAI_API_KEY or OPENAI_BASE_URL"
            )
        return OpenAIEmbedder(self._client, model)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form of a vector, for a ``::vector`` parameter."""
    return "[" + ",".join(f"{v:.6g}" for v in vector) + "]"
