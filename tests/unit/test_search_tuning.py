"""Which path a search takes (app/retrieval/service.py SearchTuning)."""

from __future__ import annotations

from app.retrieval.embeddings import HASHED_MODEL
from app.retrieval.service import SearchTuning


def test_rerank_for__shortlists_only_past_the_threshold_and_only_for_measured_models():
    tuning = SearchTuning(shortlist_above=10_000, rerank=700, candidates=40)
    assert tuning.rerank_for(10_000, 10, HASHED_MODEL) == 0  # scanned whole
    assert tuning.rerank_for(10_001, 10, HASHED_MODEL) == 700
    assert tuning.rerank_for(10_001, 2_000, HASHED_MODEL) == 2_000  # never fewer than k
    # A dense model's codes are sign bits, not measured to keep recall: scanned whole.
    assert tuning.rerank_for(50_000, 10, "text-embedding-3-small") == 0
    assert tuning.rerank_for(50_000, 10, None) == 0
