"""A page of jobs (GET /v1/jobs, the console's list) shows each result as its reader may
see it now, in one statement for the whole page: the documents the results cite and
the ones their jobs retrieved, checked against the reader's groups by row level
security (app/jobs/service.py ``_as_readers``)."""

from __future__ import annotations

import uuid
from collections import Counter

from app.retrieval.embeddings import Embedders
from app.retrieval.service import Retrieval, source_id
from tests.support.counting_database import CountingDatabase
from tests.support.jobs import job_service, principal_of


def _draft(*sources: str) -> dict:
    return {
        "subject": "Re: refund",
        "body": "Done.",
        "citations": [{"source": source, "quote": "Done."} for source in sources],
    }


async def test_list__resolves_and_withholds_a_page_in_one_statement(
    db, corpus, job_factory, make_key, sql_conn
):
    slug = f"page-{uuid.uuid4().hex[:6]}"
    tenant = await corpus.tenant(slug)
    reader = await principal_of(db, await make_key(tenant=slug, groups=["support"]))
    shared = await corpus.add(tenant, "Refunds take five days.", ["support"], title="Refunds")
    secret = await corpus.add(tenant, "Approvals above the limit.", ["hr"], title="Limits")
    own, other = source_id(shared, 0), source_id(secret, 0)

    async def finished(result: dict, retrieved: list[uuid.UUID] = ()) -> uuid.UUID:
        job = await job_factory(tenant=slug, state="succeeded", result=result)
        await db.execute(
            "job_source_record_many",
            job_id=job["id"],
            document_ids=list(retrieved),
            document_versions=[1] * len(retrieved),
        )
        return job["id"]

    expected = {
        # shown, citations as titles (a source cited twice is resolved once)
        await finished(_draft(own, own, "m1"), [shared]): (False, ["Refunds"]),
        # cites a document the reader cannot see: withheld
        await finished(_draft(own, other)): (True, ["Refunds", None]),
        # cites only the thread, but used a document the reader cannot see: withheld
        await finished(_draft("m1"), [shared, secret]): (True, []),
        # used a document the reader can see, cites none: shown, no citations
        await finished(_draft("m1"), [shared]): (False, None),
        # nothing retrieved, nothing cited
        await finished(_draft()): (False, None),
    }
    queued = (await job_factory(tenant=slug))["id"]

    counting = CountingDatabase(db)
    retrieval = Retrieval(counting, Embedders())
    async with job_service(counting) as jobs:
        jobs.citations = retrieval
        page, _ = await jobs.list(reader, state=None, kind=None, limit=50, cursor=None)
    # The page's documents in one statement, whatever the number of jobs on it.
    assert counting.runs == Counter({"job_list": 1, "job_reader_documents": 1})

    seen = {job.id: job for job in page}
    assert seen[queued].result is None and seen[queued].citations is None
    for job_id, (withheld, titles) in expected.items():
        job = seen[job_id]
        assert job.result_withheld is withheld, job
        assert (job.result is None) is withheld
        if titles is None:
            assert job.citations is None
        else:
            assert [view.title for view in job.citations] == titles
        # The same as resolving the job alone, query by query.
        sources = [c["source"] for c in _draft_sources(sql_conn, job_id)]
        cited = [s for s in sources if s.startswith("doc:")]
        alone = await retrieval.resolve_citations(reader, cited) if cited else None
        if alone is not None:
            assert job.citations == alone
        hidden = any(v.withheld for v in alone or ()) or not await retrieval.reads_every_retrieved(
            reader, job_id
        )
        assert withheld is hidden
    [withheld_view] = [v for v in seen[list(expected)[1]].citations if v.withheld]
    assert withheld_view.source == "withheld" and withheld_view.title is None


def _draft_sources(sql_conn, job_id: uuid.UUID) -> list[dict]:
    (result,) = sql_conn.execute("SELECT result FROM jobs WHERE id = %s", (job_id,)).fetchone()
    return result["citations"]
