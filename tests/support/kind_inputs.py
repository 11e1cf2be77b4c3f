"""A realistic input of each real kind, for tests of its rules and its answers."""

from __future__ import annotations

from datetime import UTC, datetime

from tasks.kinds.email_reply import EmailReplyInput
from tasks.kinds.support_answer import SupportAnswerInput
from tasks.kinds.taxonomy_tagging import TaxonomyTaggingInput

THREAD = EmailReplyInput(
    thread=[
        {"sender": "a@example.com", "sent_at": datetime(2026, 1, 1, tzinfo=UTC), "body": "Refund?"},
        {
            "sender": "b@example.com",
            "sent_at": datetime(2026, 1, 2, tzinfo=UTC),
            "body": "The refund will arrive within 5 business days.",
        },
    ],
    question="When will the refund arrive?",
)
TAGGING = TaxonomyTaggingInput(
    text="A waterproof hiking jacket with taped seams, made for mountain trails in the rain.",
    taxonomy=["outdoor", "rain-jacket", "hiking", "formal-wear"],
    max_tags=2,
)
QUESTION = SupportAnswerInput(
    question="How long does a refund to a card take?",
    sources=[
        {"id": "kb-12", "text": "Refunds to a card take 5 to 7 business days to appear."},
        {"id": "kb-40", "text": "Orders ship from Lyon every weekday."},
    ],
)
