"""Documents over HTTP and grounded jobs through a real worker: ingestion is
idempotent and admin-only, the embedding jobs run on the worker, an email_reply job
cites the requester's documents, and a reader whose groups do not reach a cited
document sees neither it nor the result."""

from __future__ import annotations

import uuid

from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for

REFUND_POLICY = (
    "Refunds to cards arrive within 5 to 7 business days after approval. "
    "Duplicate charges are refunded automatically."
)


def document(**overrides):
    return {
        "title": "Refund policy",
        "text": REFUND_POLICY,
        "acl_groups": ["billing"],
        "url": "https://help.example.com/refunds",
        "external_id": "kb-1",
        **overrides,
    }


async def _finished(http, key: str, job_id: str) -> dict:
    async def done():
        job = (await http.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()
        return job if job["state"] in {"succeeded", "failed", "needs_review"} else None

    return await wait_for(done, what=f"job {job_id} to finish")


async def _embedded(sql_conn, doc_id: str) -> None:
    """Until the worker has embedded the document's chunk (sql_conn is a superuser,
    whom row level security does not apply to, as a DBA's own login would be)."""

    async def embedded():
        row = sql_conn.execute(
            "SELECT count(*) FROM chunk_embeddings e JOIN chunks c ON c.id = e.chunk_id "
            "WHERE c.document_id = %s",
            (doc_id,),
        )
        return row.fetchone()[0] == 1  # type: ignore[index]

    await wait_for(embedded, what="the document's chunk to be embedded")


async def test_documents__ingest_read_list_patch_delete(http, make_key):
    admin = await make_key(tenant="docs-crud", roles=["admin"])
    created = await http.post("/v1/documents", json=document(), headers=auth(admin))
    assert created.status_code == 201 and created.json()["outcome"] == "created"
    doc_id = created.json()["id"]
    again = await http.post("/v1/documents", json=document(), headers=auth(admin))
    assert again.status_code == 200
    assert again.json() == {"id": doc_id, "version": 1, "outcome": "unchanged"}

    read = (await http.get(f"/v1/documents/{doc_id}", headers=auth(admin))).json()
    assert (read["title"], read["text"], read["chunk_count"]) == ("Refund policy", REFUND_POLICY, 1)
    listed = (await http.get("/v1/documents", headers=auth(admin))).json()
    assert [d["id"] for d in listed["documents"]] == [doc_id] and listed["next_after"] is None

    patched = await http.patch(
        f"/v1/documents/{doc_id}", json={"acl_groups": ["support"]}, headers=auth(admin)
    )
    assert patched.status_code == 200
    assert (patched.json()["acl_groups"], patched.json()["version"]) == (["support"], 2)

    assert (await http.delete(f"/v1/documents/{doc_id}", headers=auth(admin))).status_code == 204
    gone = await http.get(f"/v1/documents/{doc_id}", headers=auth(admin))
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")


async def test_documents__need_an_admin_key_of_the_same_tenant(http, make_key):
    admin = await make_key(tenant="docs-a", roles=["admin"])
    stranger = await make_key(tenant="docs-b", roles=["admin"])
    user = await make_key(tenant="docs-a", groups=["billing"])
    doc_id = (await http.post("/v1/documents", json=document(), headers=auth(admin))).json()["id"]
    assert (await http.get(f"/v1/documents/{doc_id}", headers=auth(stranger))).status_code == 404
    assert (await http.get("/v1/documents", headers=auth(stranger))).json()["documents"] == []
    assert (
        await http.post("/v1/documents", json=document(), headers=auth(user))
    ).status_code == 403


async def test_documents__bad_input_is_a_problem_naming_the_field(http, make_key):
    admin = await make_key(roles=["admin"])
    bad = await http.post(
        "/v1/documents", json=document(acl_groups=["no spaces"]), headers=auth(admin)
    )
    assert bad.status_code in (400, 422)
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "acl_groups" in bad.text


async def test_documents__versions_count_changes_of_the_group_set_and_say_what_changed(
    http, make_key
):
    admin = await make_key(tenant=f"docs-set-{uuid.uuid4().hex[:6]}", roles=["admin"])
    first = document(acl_groups=["billing", "support"])
    doc_id = (await http.post("/v1/documents", json=first, headers=auth(admin))).json()["id"]
    # The same groups in another order, or repeated: the same ACL, no new version.
    reordered = document(acl_groups=["support", "billing", "support"])
    again = await http.post("/v1/documents", json=reordered, headers=auth(admin))
    assert again.json() == {"id": doc_id, "version": 1, "outcome": "unchanged"}
    same = await http.patch(
        f"/v1/documents/{doc_id}", json={"acl_groups": ["support", "billing"]}, headers=auth(admin)
    )
    assert (same.json()["acl_groups"], same.json()["version"]) == (["billing", "support"], 1)
    # Only the metadata changed: said so, not "acl_changed".
    tagged = document(acl_groups=["billing", "support"], metadata={"lang": "en"})
    changed = await http.post("/v1/documents", json=tagged, headers=auth(admin))
    assert changed.json() == {"id": doc_id, "version": 2, "outcome": "metadata_changed"}
    regrouped = await http.post(
        "/v1/documents", json=tagged | {"acl_groups": ["billing"]}, headers=auth(admin)
    )
    assert regrouped.json() == {"id": doc_id, "version": 3, "outcome": "acl_changed"}


async def test_documents__blank_text_nul_and_oversized_metadata_are_problems_naming_the_field(
    http, make_key
):
    admin = await make_key(tenant=f"docs-bad-{uuid.uuid4().hex[:6]}", roles=["admin"])
    cases = {
        "title": document(title="   "),
        "text": document(text="\n\t "),
        "metadata": document(metadata={"notes": "x" * 20_000}),
        "external_id": document(external_id="kb\u0000"),
    }
    for field, body in cases.items():
        bad = await http.post("/v1/documents", json=body, headers=auth(admin))
        assert bad.status_code == 422, (field, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert field in bad.text, (field, bad.text)
    nul = await http.post("/v1/documents", json=document(text="a\u0000b"), headers=auth(admin))
    assert nul.status_code == 422 and "text" in nul.text
    listed = await http.get("/v1/documents", headers=auth(admin))
    assert listed.json()["documents"] == []


async def test_email_reply__cites_documents_and_hides_them_from_other_readers(
    http, worker, make_key, sql_conn
):
    tenant = f"grounded-{uuid.uuid4().hex[:6]}"
    admin = await make_key(tenant=tenant, roles=["admin"])
    requester = await make_key(tenant=tenant, groups=["billing"])
    outsider = await make_key(tenant=tenant, groups=["sales"])
    doc_id = (await http.post("/v1/documents", json=document(), headers=auth(admin))).json()["id"]

    # The API deferred an embedding job and the worker ran it.
    await _embedded(sql_conn, doc_id)

    body = email_reply_request("When will the refund for the duplicate charge arrive?")
    submitted = await http.post("/v1/jobs", json=body, headers=auth(requester, "grounded"))
    job = await _finished(http, requester, submitted.json()["id"])
    assert job["state"] == "succeeded"
    cited = [c["source"] for c in job["result"]["citations"]]
    doc_sources = [s for s in cited if s.startswith(f"doc:{doc_id}:")]
    assert doc_sources, cited
    assert job["citations"] == [
        {
            "source": doc_sources[0],
            "document_id": doc_id,
            "chunk_id": int(doc_sources[0].rsplit(":", 1)[1]),
            "title": "Refund policy",
            "url": "https://help.example.com/refunds",
            "withheld": False,
        }
    ]

    seen_by_outsider = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(outsider))).json()
    assert seen_by_outsider["result"] is None and seen_by_outsider["result_withheld"] is True
    assert seen_by_outsider["citations"] == [
        {
            "source": "withheld",
            "document_id": None,
            "chunk_id": None,
            "title": None,
            "url": None,
            "withheld": True,
        }
    ]
    assert doc_id not in str(seen_by_outsider) and "Refund policy" not in str(seen_by_outsider)
    listed = (await http.get("/v1/jobs", headers=auth(outsider))).json()["items"]
    assert REFUND_POLICY[:20] not in str(listed) and doc_id not in str(listed)

    # An ACL change applies to readers at once: now the outsider's groups reach it.
    await http.patch(f"/v1/documents/{doc_id}", json={"acl_groups": ["sales"]}, headers=auth(admin))
    now = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(outsider))).json()
    assert now["result_withheld"] is False and now["citations"][0]["title"] == "Refund policy"


async def test_support_answer__adds_the_requesters_documents_only_when_asked(
    http, worker, make_key, sql_conn
):
    tenant = f"support-{uuid.uuid4().hex[:6]}"
    admin = await make_key(tenant=tenant, roles=["admin"])
    requester = await make_key(tenant=tenant, groups=["billing"])
    outsider = await make_key(tenant=tenant, groups=["sales"])
    doc_id = (await http.post("/v1/documents", json=document(), headers=auth(admin))).json()["id"]
    await _embedded(sql_conn, doc_id)

    def body(search_documents: bool) -> dict:
        return {
            "kind": "support_answer",
            "input": {
                "question": "When do refunds to cards arrive?",
                "sources": [{"id": "kb-40", "text": "Orders ship from Lyon every weekday."}],
                "search_documents": search_documents,
            },
        }

    ids = []
    for search in (True, False):
        submitted = await http.post(
            "/v1/jobs", json=body(search), headers=auth(requester, f"s{search}")
        )
        ids.append(submitted.json()["id"])
    grounded, plain = [await _finished(http, requester, job_id) for job_id in ids]

    assert (grounded["state"], grounded["result"]["outcome"]) == ("succeeded", "answered")
    cited = [c["source"] for c in grounded["result"]["citations"]]
    assert cited and all(source.startswith(f"doc:{doc_id}:") for source in cited)
    assert grounded["citations"][0]["title"] == "Refund policy"
    # The given source stays a source; without the flag nothing is retrieved, and it
    # does not answer the question: the escalation waits for a person (support_answer's
    # review policy), its output held.
    assert (plain["state"], plain["result"]) == ("needs_review", None)
    seen_by_outsider = (await http.get(f"/v1/jobs/{ids[0]}", headers=auth(outsider))).json()
    assert seen_by_outsider["result"] is None and seen_by_outsider["result_withheld"] is True


async def test_account_summary__reads_the_requesters_documents_when_asked(
    http, worker, make_key, sql_conn
):
    tenant = f"account-{uuid.uuid4().hex[:6]}"
    admin = await make_key(tenant=tenant, roles=["admin"])
    requester = await make_key(tenant=tenant, groups=["sales"])
    contract = document(
        title="Acme contract",
        text="Acme Corp renewed its contract for 50 seats in March.",
        acl_groups=["sales"],
        external_id="crm-acme",
    )
    doc_id = (await http.post("/v1/documents", json=contract, headers=auth(admin))).json()["id"]
    await _embedded(sql_conn, doc_id)
    body = {
        "kind": "account_summary",
        "input": {
            "account": "Acme Corp",
            "focus": "Acme Corp contract seats",
            "emails": [{"id": "e1", "body": "Thanks for the quick onboarding call today."}],
            "search_documents": True,
        },
    }

    submitted = await http.post("/v1/jobs", json=body, headers=auth(requester, "acct"))
    job = await _finished(http, requester, submitted.json()["id"])

    assert (job["state"], job["result"]["outcome"]) == ("succeeded", "summarized")
    facts = [source for point in job["result"]["key_facts"] for source in point["sources"]]
    assert any(source.startswith(f"doc:{doc_id}:") for source in facts), job["result"]
    assert {c["title"] for c in job["citations"]} == {"Acme contract"}


async def test_metadata_enrichment__reads_a_field_from_the_requesters_document(
    http, worker, make_key, sql_conn
):
    tenant = f"enrich-{uuid.uuid4().hex[:6]}"
    admin = await make_key(tenant=tenant, roles=["admin"])
    requester = await make_key(tenant=tenant, groups=["catalog"])
    outsider = await make_key(tenant=tenant, groups=["sales"])
    sheet = document(
        title="Summit 3 tent sheet",
        text="Material: ripstop nylon\nPoles: aluminium",
        acl_groups=["catalog"],
        external_id="sheet-summit",
    )
    doc_id = (await http.post("/v1/documents", json=sheet, headers=auth(admin))).json()["id"]
    await _embedded(sql_conn, doc_id)

    def body(search_documents: bool) -> dict:
        return {
            "kind": "metadata_enrichment",
            "input": {
                "title": "Summit 3 tent",
                "fields": ["material"],
                "search_documents": search_documents,
            },
        }

    ids = []
    for search in (True, False):
        submitted = await http.post(
            "/v1/jobs", json=body(search), headers=auth(requester, f"e{search}")
        )
        ids.append(submitted.json()["id"])
    grounded, plain = [await _finished(http, requester, job_id) for job_id in ids]

    assert grounded["state"] == "succeeded", grounded
    [material] = grounded["result"]["fields"]
    assert "nylon" in material["value"] and material["source"].startswith(f"doc:{doc_id}:")
    assert [c["title"] for c in grounded["citations"]] == ["Summit 3 tent sheet"]
    # The value came from a document the outsider's groups do not reach: withheld, though
    # the kind cites it in fields[].source, not in a citations list.
    seen_by_outsider = (await http.get(f"/v1/jobs/{ids[0]}", headers=auth(outsider))).json()
    assert seen_by_outsider["result"] is None and seen_by_outsider["result_withheld"] is True
    # Without the flag the title alone states no material.
    assert plain["result"]["outcome"] == "refused" or plain["result"]["fields"][0]["value"] is None


async def test_search__over_http_returns_only_the_keys_documents(http, make_key):
    tenant = f"search-{uuid.uuid4().hex[:6]}"
    admin = await make_key(tenant=tenant, roles=["admin"])
    billing = await make_key(tenant=tenant, groups=["billing"])
    sales = await make_key(tenant=tenant, groups=["sales"])
    await http.post("/v1/documents", json=document(), headers=auth(admin))
    hits = (
        await http.post("/v1/search", json={"query": "refund duplicate"}, headers=auth(billing))
    ).json()["hits"]
    assert [h["title"] for h in hits] == ["Refund policy"]
    hidden = await http.post("/v1/search", json={"query": "refund"}, headers=auth(sales))
    assert hidden.json() == {"hits": []}
