"""The registry of job kinds (tasks/kinds/README.md: how to add one)."""

from __future__ import annotations

from app.jobs.kinds import Kind, KindRegistry
from tasks.kinds import (
    account_summary,
    bio,
    document_extraction,
    email_reply,
    follow_up_draft,
    metadata_enrichment,
    moderation_summary,
    product_description,
    response,
    support_answer,
    taxonomy_tagging,
)

KINDS: KindRegistry = {
    kind.name: kind
    for kind in [
        email_reply.KIND,
        taxonomy_tagging.KIND,
        support_answer.KIND,
        metadata_enrichment.KIND,
        moderation_summary.KIND,
        document_extraction.KIND,
        account_summary.KIND,
        follow_up_draft.KIND,
        product_description.KIND,
        bio.KIND,
        response.KIND,
    ]
}

__all__ = ["KINDS", "Kind"]
