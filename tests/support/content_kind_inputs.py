"""Realistic inputs of the content-platform and document kinds (metadata_enrichment,
moderation_summary, document_extraction), for tests of their rules and answers."""

from __future__ import annotations

from tasks.kinds.document_extraction import DocumentExtractionInput
from tasks.kinds.metadata_enrichment import MetadataEnrichmentInput
from tasks.kinds.moderation_summary import ModerationSummaryInput

PRODUCT = MetadataEnrichmentInput(
    title="Men's Merino Wool Hiking Socks",
    description="Cushioned crew socks for long days on the trail. Available in charcoal grey.",
    references=[
        {"id": "spec-1", "text": "Material: 80% merino wool, 20% nylon\nCare: machine wash cold"}
    ],
    fields=["material", "colour", "audience", "brand"],
)
REVIEW = ModerationSummaryInput(
    content="The seller never answered. You are a pathetic loser and everyone knows it.",
    context="a marketplace review",
)
INVOICE_TEXT = """ACME Office Supplies Ltd
From: ACME Office Supplies Ltd
Invoice no.: INV-2026-0042
Invoice date: 14 March 2026
Due date: 13 April 2026

2 x Desk chair            EUR 300.00
Subtotal: EUR 600.00
VAT (20%): EUR 120.00
Total due: EUR 720.00
"""
INVOICE = DocumentExtractionInput(document_type="invoice", text=INVOICE_TEXT)
