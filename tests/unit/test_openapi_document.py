"""The OpenAPI document describes requests as they are sent, so clients and fuzzers
build them right."""

from __future__ import annotations

from app.http import create_app
from app.jobs.schemas import kind_schema_name
from app.settings import Settings
from tests.support.kinds import TEST_KINDS


def test_intake_body_of_several_kinds__is_documented_as_one_of_its_variants():
    settings = Settings()
    settings.database.url = "postgresql://unused/courier"  # nothing connects: no lifespan runs
    app = create_app(settings, TEST_KINDS)
    for hook in app.on_startup:
        hook(app)
    document = app.openapi_schema.to_schema()
    body = document["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]["application/json"]
    schema = document["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[-1]]

    assert "root" not in schema.get("properties", {})
    variants = [variant["$ref"].rsplit("/", 1)[-1] for variant in schema["oneOf"]]
    assert variants == [
        "EmailReplyJobRequest",
        "TaxonomyTaggingJobRequest",
        "SupportAnswerJobRequest",
        "MetadataEnrichmentJobRequest",
        "ModerationSummaryJobRequest",
        "DocumentExtractionJobRequest",
        "AccountSummaryJobRequest",
        "FollowUpDraftJobRequest",
        "ProductDescriptionJobRequest",
        "BioJobRequest",
        "ResponseJobRequest",
        "SleepyJobRequest",
        "LlmEchoJobRequest",
        "EmailReplyLargeJobRequest",
        "EmailReplyUncachedJobRequest",
        "DraftThenPolishJobRequest",
        "EmailReplyReviewedJobRequest",
        "TaxonomyTaggingUnreviewedJobRequest",
    ]


def test_each_kinds_result__is_documented_with_its_outcome():
    settings = Settings()
    settings.database.url = "postgresql://unused/courier"  # nothing connects: no lifespan runs
    app = create_app(settings, TEST_KINDS)
    for hook in app.on_startup:
        hook(app)
    schemas = app.openapi_schema.to_schema()["components"]["schemas"]

    for kind in ("email_reply", "taxonomy_tagging", "document_extraction", "bio"):
        name = kind_schema_name(kind, "Result")
        assert "outcome" in schemas[name]["properties"], name
        assert name in schemas["Job"]["properties"]["result"]["description"]
    tag = schemas["TaxonomyTaggingResult"]["properties"]["tags"]["items"]["$ref"]
    assert tag == "#/components/schemas/TaxonomyTaggingResult_Tag"
    assert "confidence" in schemas["TaxonomyTaggingResult_Tag"]["properties"]
