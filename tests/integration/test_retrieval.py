"""Retrieval under row level security: what a principal's searches return is exactly
what its tenant and groups allow, filtered vector search finds what exact search
finds, and ingestion is idempotent."""

from __future__ import annotations

import random
import uuid

import psycopg
import pytest

from app.db import Connection, Database
from app.queries import load_queries
from app.retrieval.embeddings import HASHED_MODEL, hashed_vector, vector_literal
from app.retrieval.schemas import DocumentIn
from app.retrieval.service import (
    DocumentNotFound,
    Retrieval,
    SearchTuning,
    tenant_transaction,
)
from tests.support.documents import Corpus, Reader, act_tenant_wide

WORDS = (
    "invoice refund shipping carrier warranty battery charger router firmware password "
    "account billing discount coupon subscription renewal cancel upgrade downgrade "
    "export import backup restore latency outage region quota license seat admin"
).split()


# Search takes one of two paths (sql/chunks.sql chunk_search_path): an exact scan
# when the reader may see at most exact_limit embeddings, HNSW beyond. 0 forces HNSW,
# a large limit the exact scan; both must return only what row level security allows.
PATHS = pytest.mark.parametrize("exact_limit", [0, 1_000_000], ids=["hnsw", "exact"])


async def nearest(
    db: Database, conn: Connection, embedding: str, k: int, exact_limit: int, rerank: int = 1_000
) -> list[int]:
    """chunk_search_vector by the path chunk_search_path picks, as the service runs it."""
    path = await db.fetch_one(
        "chunk_search_path", conn, model=HASHED_MODEL, exact_limit=exact_limit
    )
    assert path["exact"] is (exact_limit > 0)
    await db.execute(
        "session_search_tuning", conn, ef_search=100, max_scan_tuples=20_000, exact=path["exact"]
    )
    rows = await db.fetch_all(
        "chunk_search_vector",
        conn,
        embedding=embedding,
        model=HASHED_MODEL,
        k=k,
        exact=path["exact"],
        rerank=rerank,
    )
    return [r["chunk_id"] for r in rows]


def reader(tenant_id: uuid.UUID, *groups: str) -> Reader:
    return Reader(uuid.uuid4(), tenant_id, tuple(groups))


async def test_search__finds_only_documents_of_the_readers_groups(corpus: Corpus):
    tenant = await corpus.tenant()
    other = await corpus.tenant()
    sales = await corpus.add(tenant, "Refunds take five business days.", ["sales"])
    support = await corpus.add(tenant, "Refunds of invoices are issued weekly.", ["support"])
    await corpus.add(other, "Refunds at the other tenant.", ["sales"])
    await corpus.embed_all(tenant)
    await corpus.embed_all(other)

    found = await corpus.retrieval.search(reader(tenant, "sales"), "refunds", 10)
    assert {c.document_id for c in found} == {sales}
    both = await corpus.retrieval.search(reader(tenant, "sales", "support"), "refunds", 10)
    assert {c.document_id for c in both} == {sales, support}
    assert await corpus.retrieval.search(reader(tenant, "nobody"), "refunds", 10) == []


async def test_search__exact_terms_are_found_by_full_text(corpus: Corpus):
    tenant = await corpus.tenant()
    code = await corpus.add(tenant, "Error E4021 means the router firmware is too old.", ["g"])
    for i in range(20):
        await corpus.add(tenant, f"The router firmware page {i} explains updates.", ["g"])
    found = await corpus.retrieval.search(reader(tenant, "g"), "what is E4021", 3)
    assert found[0].document_id == code


async def test_search__a_hyphenated_code_outranks_many_chunks_of_common_words(corpus: Corpus):
    tenant = await corpus.tenant()
    code = await corpus.add(tenant, "Error E-5555 means the card issuer declined it.", ["g"])
    # Also "e" and "5555" apart, the code's lexemes matched one by one.
    await corpus.add(tenant, "Form E lists 5555 charges for each customer invoice.", ["g"])
    words = "customer invoice refund charge account payment billing statement credit"
    for i in range(200):
        text = f"The customer invoice refund charge note {i}: " + " ".join([words] * (1 + i % 5))
        await corpus.add(tenant, text, ["g"])
    await corpus.embed_all(tenant)
    question = "customer got E-5555 on the invoice refund charge"
    found = await corpus.retrieval.search(reader(tenant, "g"), question, 5)
    assert found[0].document_id == code


async def test_search__full_text_answers_before_embeddings_exist(corpus: Corpus):
    tenant = await corpus.tenant()
    doc = await corpus.add(tenant, "The warranty covers batteries for two years.", ["g"])
    found = await corpus.retrieval.search(reader(tenant, "g"), "battery warranty", 3)
    assert [c.document_id for c in found] == [doc]


async def scope(db: Database, who: Reader, conn: Connection | None = None) -> dict:
    return await db.fetch_one(
        "chunk_search_scope",
        conn,
        tenant_id=who.tenant_id,
        user_id=who.id,
        groups=list(who.acl_groups),
        exact_limit=50_000,
    )


async def test_search_scope__says_what_the_reader_may_see_under_row_level_security(
    corpus: Corpus, db: Database
):
    tenant = await corpus.tenant()
    other = await corpus.tenant()
    await corpus.add(other, "Refunds at the other tenant.", ["g"])
    await corpus.embed_all(other)
    empty = await scope(db, reader(tenant, "g"))
    assert (empty["model"], empty["searchable"], empty["vectors"]) == (HASHED_MODEL, False, False)

    await corpus.add(tenant, "The warranty covers batteries for two years.", ["g"])
    # Not embedded yet: full text can find it, no vector can.
    text_only = await scope(db, reader(tenant, "g"))
    assert (text_only["searchable"], text_only["vectors"]) == (True, False)
    assert not (await scope(db, reader(tenant, "h")))["searchable"]
    assert not (await scope(db, reader(tenant)))["searchable"]

    await corpus.embed_all(tenant)
    both = await scope(db, reader(tenant, "h", "g"))
    assert (both["searchable"], both["vectors"], both["exact"]) == (True, True, True)
    assert not (await scope(db, reader(tenant, "h")))["vectors"]


async def test_search_scope__names_its_reader_for_its_own_statement_only(
    corpus: Corpus, db: Database
):
    tenant = await corpus.tenant()
    await corpus.add(tenant, "The warranty covers batteries for two years.", ["g"])
    async with db.pool.connection() as conn:
        assert (await scope(db, reader(tenant, "g"), conn))["searchable"]
        cursor = await conn.execute(
            "SELECT coalesce(current_setting('courier.tenant_id', true), ''),"
            " (SELECT count(*) FROM chunks)"
        )
        assert await cursor.fetchone() == ("", 0)


async def test_search__a_reader_who_sees_no_chunk_gets_none_without_a_search(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
):
    tenant = await corpus.tenant()
    await corpus.add(tenant, "Refunds take five business days.", ["sales"])
    await corpus.embed_all(tenant)
    searched: list[str] = []
    fetch_all = corpus.db.fetch_all

    async def counting(name: str, /, *args, **kwargs):
        searched.append(name)
        return await fetch_all(name, *args, **kwargs)

    monkeypatch.setattr(corpus.db, "fetch_all", counting)
    assert await corpus.retrieval.search(reader(tenant, "support"), "refunds", 5) == []
    assert searched == []
    assert len(await corpus.retrieval.search(reader(tenant, "sales"), "refunds", 5)) == 1
    assert searched == ["chunk_search_hybrid"]


@pytest.mark.parametrize(
    "tuning",
    [
        SearchTuning(exact_limit=0),
        SearchTuning(exact_limit=1_000_000),
        # The exact path's shortlist for every reader, shorter than what most see.
        SearchTuning(exact_limit=1_000_000, shortlist_above=0, rerank=5, candidates=5),
    ],
    ids=["hnsw", "exact", "shortlist"],
)
async def test_search__randomized_acls_return_zero_extra_rows(corpus: Corpus, tuning: SearchTuning):
    retrieval = Retrieval(corpus.db, corpus.retrieval.embedders, tuning)
    rng = random.Random(1616)
    groups = [f"g{i}" for i in range(8)]
    tenants = [await corpus.tenant() for _ in range(3)]
    allowed: dict[uuid.UUID, tuple[uuid.UUID, frozenset[str]]] = {}
    for n in range(90):
        tenant = rng.choice(tenants)
        doc_groups = frozenset(rng.sample(groups, rng.randint(1, 3)))
        text = " ".join(rng.choices(WORDS, k=30)) + f" unique{n}"
        allowed[await corpus.add(tenant, text, sorted(doc_groups))] = (tenant, doc_groups)
    for tenant in tenants:
        await corpus.embed_all(tenant)
    extra = []
    missing = []
    for _ in range(25):
        tenant = rng.choice(tenants)
        user_groups = frozenset(rng.sample(groups, rng.randint(0, 3)))
        user = reader(tenant, *sorted(user_groups))
        may_see = {d for d, (t, g) in allowed.items() if t == tenant and g & user_groups}
        for query in [" ".join(rng.choices(WORDS, k=3)) for _ in range(3)]:
            found = {c.document_id for c in await retrieval.search(user, query, 50)}
            extra += sorted(found - may_see)
        # Every document the user may see is findable by its own unique word.
        for doc in may_see:
            n = next(i for i, d in enumerate(allowed) if d == doc)
            found = {c.document_id for c in await retrieval.search(user, f"unique{n}", 5)}
            if doc not in found:
                missing.append(doc)
    assert extra == []
    assert missing == []


@PATHS
@pytest.mark.parametrize("rerank", [0, 1_000], ids=["scan", "shortlist"])
async def test_filtered_vector_search__equals_exact_search_on_small_data(
    corpus: Corpus, db: Database, exact_limit: int, rerank: int
):
    rng = random.Random(7)
    tenant = await corpus.tenant()
    groups = [f"g{i}" for i in range(10)]
    for _ in range(150):
        await corpus.add(tenant, " ".join(rng.choices(WORDS, k=25)), [rng.choice(groups)])
    await corpus.embed_all(tenant)
    for user_groups in (["g0"], ["g1", "g2"], groups[:5]):
        user = reader(tenant, *user_groups)
        for query in ("refund invoice", "router firmware outage", "seat license admin"):
            embedding = vector_literal(hashed_vector(query))
            async with db.transaction(on_behalf_of=user) as conn:
                found = await nearest(db, conn, embedding, 10, exact_limit, rerank)
                exact = await db.fetch_all(
                    "chunk_search_exact", conn, embedding=embedding, model=HASHED_MODEL, k=10
                )
            assert found == [r["chunk_id"] for r in exact]


async def test_exact_path__a_short_rerank_finds_what_exact_search_finds_and_no_more(
    corpus: Corpus, db: Database
):
    # The exact path shortlists `rerank` embeddings by their codes, then ranks those
    # by true distance: with the shortlist at least the visible set it is exact
    # search; shorter, it still returns only visible rows, and most of exact's.
    rng = random.Random(8)
    tenant = await corpus.tenant()
    for _ in range(120):
        await corpus.add(tenant, " ".join(rng.choices(WORDS, k=25)), [rng.choice("ab")])
    await corpus.embed_all(tenant)
    user = reader(tenant, "a")
    found_short, found_exact = set(), set()
    for query in ("refund invoice", "router firmware outage", "seat license admin"):
        embedding = vector_literal(hashed_vector(query))
        async with db.transaction(on_behalf_of=user) as conn:
            exact = await db.fetch_all(
                "chunk_search_exact", conn, embedding=embedding, model=HASHED_MODEL, k=10
            )
            visible = {
                r["chunk_id"]
                for r in await db.fetch_all(
                    "chunk_search_exact", conn, embedding=embedding, model=HASHED_MODEL, k=1_000
                )
            }
            full = await nearest(db, conn, embedding, 10, 1_000_000, rerank=len(visible))
            short = await nearest(db, conn, embedding, 10, 1_000_000, rerank=30)
        assert full == [r["chunk_id"] for r in exact]
        assert len(short) == 10 and set(short) <= visible
        found_short |= set(short) & {r["chunk_id"] for r in exact}
        found_exact |= {r["chunk_id"] for r in exact}
    # Shortlisting 30 of ~60 visible by code keeps most of the true top 10.
    assert len(found_short) >= 0.8 * len(found_exact)


async def test_codes__hamming_distance_is_the_ternary_dot_product(sql_conn: psycopg.Connection):
    # What the shortlist orders by: for a query q and an embedding v, the Hamming
    # distance of their codes is 768 - 2 * sum(sign(q_i) * sign(v_i)): nearer codes
    # agree in sign on more of the query's dimensions (and a zero is between the signs).
    rng = random.Random(3)
    for _ in range(20):
        q = [rng.choice([0.0, 0.0, 0.0, 0.5, -0.5]) for _ in range(384)]
        v = [rng.choice([0.0, 0.2, -0.2]) for _ in range(384)]
        sign = lambda x: (x > 0) - (x < 0)  # noqa: E731
        dot = sum(sign(a) * sign(b) for a, b in zip(q, v, strict=True))
        row = sql_conn.execute(
            "SELECT courier_query_code(%s::vector) <~> courier_embedding_code(%s::vector)",
            (vector_literal(q), vector_literal(v)),
        ).fetchone()
        assert row == (768 - 2 * dot,)


async def test_codes__the_heavy_code_weighs_the_querys_heavier_dimensions_twice(
    sql_conn: psycopg.Connection,
):
    # The shortlist's order: the two distances sum to 1536 - 2 * sum(w_i * sign(q_i) *
    # sign(v_i)), w_i 2 where |q_i| is at least 1.5 times q's smallest nonzero magnitude
    # (0.3 and 0.45 here, against 0.2), else 1.
    rng = random.Random(4)
    for _ in range(20):
        q = [rng.choice([0.0, 0.0, 0.0, 0.2, -0.2, 0.29, 0.3, -0.45]) for _ in range(384)]
        v = [rng.choice([0.0, 0.2, -0.2]) for _ in range(384)]
        sign = lambda x: (x > 0) - (x < 0)  # noqa: E731
        weight = lambda x: 2 if abs(x) >= 0.3 else 1  # noqa: E731
        dot = sum(weight(a) * sign(a) * sign(b) for a, b in zip(q, v, strict=True))
        row = sql_conn.execute(
            "SELECT (courier_query_code(%(q)s::vector) <~> courier_embedding_code(%(v)s::vector))"
            " + (courier_query_heavy_code(%(q)s::vector)"
            " <~> courier_embedding_code(%(v)s::vector))",
            {"q": vector_literal(q), "v": vector_literal(v)},
        ).fetchone()
        assert row == (1536 - 2 * dot,)


async def test_codes__follow_their_embeddings_acl_changes_and_deletes(
    corpus: Corpus, sql_conn: psycopg.Connection
):
    tenant = await corpus.tenant()
    docs = [await corpus.add(tenant, f"router firmware {n}", ["a"]) for n in range(4)]
    await corpus.embed_all(tenant)
    await corpus.documents.set_acl(tenant, docs[0], ["b", "c"])
    await corpus.documents.delete(tenant, docs[1])
    # As the owner (no row level security): codes and embeddings, row for row.
    codes, embeddings = (
        sql_conn.execute(
            f"SELECT chunk_id, model, tenant_id, acl_groups{code} FROM {table} "
            "WHERE tenant_id = %s ORDER BY chunk_id",
            (tenant,),
        ).fetchall()
        for table, code in (
            ("chunk_embedding_codes", ", code"),
            ("chunk_embeddings", ", courier_embedding_code(embedding)"),
        )
    )
    assert codes == embeddings and len(codes) == 3
    assert sorted(row[3] for row in codes) == [["a"], ["a"], ["b", "c"]]


async def test_codes__are_filtered_by_row_level_security_and_written_only_by_triggers(
    corpus: Corpus, sql_conn: psycopg.Connection
):
    tenant, other = await corpus.tenant(), await corpus.tenant()
    for owner in (tenant, other):
        for group in ("a", "b"):
            await corpus.add(owner, f"battery charger {group}", [group])
        await corpus.embed_all(owner)
    forced = sql_conn.execute(
        "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class "
        "WHERE relname = 'chunk_embedding_codes'"
    ).fetchone()
    assert forced == (True,)
    with sql_conn.transaction():
        sql_conn.execute("SET LOCAL ROLE courier_runtime")
        sql_conn.execute(
            "SELECT set_config('courier.tenant_id', %s::text, true), "
            "set_config('courier.groups', '{a}', true)",
            (tenant,),
        )
        seen = sql_conn.execute(
            "SELECT DISTINCT tenant_id, acl_groups FROM chunk_embedding_codes"
        ).fetchall()
        assert seen == [(tenant, ["a"])]
    for statement in (
        "UPDATE chunk_embedding_codes SET acl_groups = '{a,b}'",
        "DELETE FROM chunk_embedding_codes",
        "INSERT INTO chunk_embedding_codes SELECT * FROM chunk_embedding_codes",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), sql_conn.transaction():
            sql_conn.execute("SET LOCAL ROLE courier_runtime")
            act_tenant_wide(sql_conn, tenant)
            sql_conn.execute(statement)


@PATHS
async def test_vector_search__either_path_returns_only_rows_rls_allows(
    corpus: Corpus, db: Database, sql_conn: psycopg.Connection, exact_limit: int
):
    # The same group names in two tenants: the ACL index is keyed by tenant first.
    tenant, other = await corpus.tenant(), await corpus.tenant()
    mine: dict[str, set[uuid.UUID]] = {"a": set(), "b": set()}
    for n in range(40):
        group = "ab"[n % 2]
        mine[group].add(await corpus.add(tenant, f"router firmware {n}", [group]))
        await corpus.add(other, f"router firmware {n}", [group])
    await corpus.embed_all(tenant)
    await corpus.embed_all(other)
    embedding = vector_literal(hashed_vector("router firmware"))
    async with db.transaction(on_behalf_of=reader(tenant, "a")) as conn:
        found = await nearest(db, conn, embedding, 30, exact_limit)
    # As the owner (no row level security): the chunks of group a's documents.
    allowed = sql_conn.execute(
        "SELECT id FROM chunks WHERE document_id = ANY (%s)", (list(mine["a"]),)
    ).fetchall()
    assert sorted(found) == sorted(r[0] for r in allowed)


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "hnsw"])
async def test_vector_search__only_the_hnsw_path_walks_the_hnsw_index(
    corpus: Corpus, sql_conn: psycopg.Connection, exact: bool
):
    # The HNSW path walks the index even though the planner, blind to how many rows
    # the policy keeps, guesses few; the exact path never touches it (which index
    # finds the rows is the planner's choice by table size: bench/retrieval.py).
    tenant = await corpus.tenant()
    for n in range(30):
        await corpus.add(tenant, f"battery charger {n}", ["a" if n % 3 else "b"])
    await corpus.embed_all(tenant)
    sql_conn.execute("ANALYZE chunk_embeddings")
    queries = load_queries()
    params = {
        "embedding": vector_literal(hashed_vector("battery")),
        "model": HASHED_MODEL,
        "k": 5,
        "exact": exact,
        "rerank": 1_000,
        "ef_search": 100,
        "max_scan_tuples": 20_000,
    }
    with sql_conn.transaction():
        sql_conn.execute("SET LOCAL ROLE courier_runtime")
        sql_conn.execute(
            "SELECT set_config('courier.tenant_id', %s::text, true), "
            "set_config('courier.groups', '{a}', true)",
            (tenant,),
        )
        sql_conn.execute(queries["session_search_tuning"].sql, params)
        plan = "\n".join(
            row[0]
            for row in sql_conn.execute(
                "EXPLAIN (COSTS OFF) " + queries["chunk_search_vector"].sql, params
            ).fetchall()
        )
    assert ("Index Scan using chunk_embeddings_hnsw" in plan) is not exact


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "hnsw"])
async def test_hybrid_search__reads_the_readers_chunks_through_the_acl_index_on_both_paths(
    corpus: Corpus, sql_conn: psycopg.Connection, exact: bool
):
    # `@@` cannot use chunks_tsv under row level security, so the text side reads the
    # reader's chunks: through the policy's index (its overlap answered once), not the
    # whole tenant with the policy evaluated row by row. The HNSW path's settings once
    # forbade that index (enable_bitmapscan off). Sequential scans are off here only
    # because a test's table is small enough for the planner to read it whole.
    tenant = await corpus.tenant()
    for n in range(30):
        await corpus.add(tenant, f"battery charger E-{n} router", ["a" if n % 3 else "b"])
    await corpus.embed_all(tenant)
    sql_conn.execute("ANALYZE chunks")
    queries = load_queries()
    params = {
        "embedding": vector_literal(hashed_vector("battery E-7")),
        "model": HASHED_MODEL,
        "text": "battery E-7",
        "candidates": 40,
        "k": 5,
        "exact": exact,
        "rerank": 1_000,
        "ef_search": 100,
        "max_scan_tuples": 20_000,
    }
    with sql_conn.transaction():
        sql_conn.execute("SET LOCAL ROLE courier_runtime")
        sql_conn.execute(
            "SELECT set_config('courier.tenant_id', %s::text, true), "
            "set_config('courier.groups', '{a}', true), "
            "set_config('enable_seqscan', 'off', true)",
            (tenant,),
        )
        sql_conn.execute(queries["session_search_tuning"].sql, params)
        plan = "\n".join(
            row[0]
            for row in sql_conn.execute(
                "EXPLAIN (COSTS OFF) " + queries["chunk_search_hybrid"].sql, params
            ).fetchall()
        )
    lines = plan.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "CTE matched")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if len(lines[i]) - len(lines[i].lstrip()) <= indent
        ),
        len(lines),
    )
    text_side = "\n".join(lines[start:end])
    assert "Bitmap Index Scan on chunks_acl_keys" in text_side, plan
    reads = [line.strip() for line in text_side.splitlines() if " on chunks " in line]
    assert [read.split(" on chunks ")[0] for read in reads] == ["->  Bitmap Heap Scan"], plan
    # Both text legs (any word, and the code E-7) rank from that one pass.
    assert plan.count("CTE Scan on matched") == 2


async def test_acl_counts__follow_embeddings_acl_changes_and_deletes(
    corpus: Corpus, db: Database, sql_conn: psycopg.Connection
):
    tenant = await corpus.tenant()
    groups = [["a"], ["a", "b"]]
    docs = [await corpus.add(tenant, f"seat license {n}", groups[n % 2]) for n in range(6)]
    await corpus.embed_all(tenant)
    await corpus.documents.set_acl(tenant, docs[0], ["c"])
    await corpus.documents.delete(tenant, docs[1])

    def counted() -> dict[str, int]:
        rows = sql_conn.execute(
            "SELECT acl_key, embeddings FROM chunk_acl_counts WHERE tenant_id = %s "
            "AND embeddings <> 0",
            (tenant,),
        ).fetchall()
        return dict(rows)  # type: ignore[arg-type]

    def actual() -> dict[str, int]:
        rows = sql_conn.execute(
            "SELECT k, count(*) FROM chunk_embeddings, unnest(courier_acl_keys(acl_groups)) k "
            "WHERE tenant_id = %s GROUP BY k",
            (tenant,),
        ).fetchall()
        return dict(rows)  # type: ignore[arg-type]

    assert counted() == actual()
    assert counted()[""] == 5 and counted()["c"] == 1


async def test_acl__a_blank_group_is_refused_and_never_means_every_group(
    corpus: Corpus, sql_conn: psycopg.Connection
):
    tenant = await corpus.tenant()
    await corpus.add(tenant, "Quota per region.", ["g"])
    await corpus.embed_all(tenant)
    with sql_conn.transaction():
        sql_conn.execute("SET LOCAL ROLE courier_runtime")
        sql_conn.execute(
            "SELECT set_config('courier.tenant_id', %s::text, true), "
            "set_config('courier.groups', '{\"\"}', true)",
            (tenant,),
        )
        for table in ("documents", "chunks", "chunk_embeddings", "chunk_acl_counts"):
            count = sql_conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert count == (0,), table
    with pytest.raises(psycopg.errors.CheckViolation), sql_conn.transaction():
        sql_conn.execute(
            "INSERT INTO documents (tenant_id, title, body, acl_groups, content_hash) "
            "VALUES (%s, 't', 'b', '{g,\"\"}', 'x')",
            (tenant,),
        )


async def test_acl__a_chunks_groups_change_only_through_its_document(
    corpus: Corpus, sql_conn: psycopg.Connection
):
    tenant = await corpus.tenant()
    doc = await corpus.add(tenant, "Payroll runs on the last Friday.", ["hr"])
    await corpus.embed_all(tenant)
    for statement in (
        "UPDATE chunks SET acl_groups = '{billing,everyone}'",
        "UPDATE chunk_embeddings SET acl_groups = '{billing,everyone}'",
    ):
        with pytest.raises(psycopg.errors.CheckViolation), sql_conn.transaction():
            sql_conn.execute("SET LOCAL ROLE courier_runtime")
            act_tenant_wide(sql_conn, tenant)
            sql_conn.execute(statement)
    # Through the document: chunks and embeddings follow.
    await corpus.documents.set_acl(tenant, doc, ["billing"])
    groups = sql_conn.execute(
        "SELECT DISTINCT c.acl_groups, e.acl_groups FROM chunks c "
        "JOIN chunk_embeddings e ON e.chunk_id = c.id WHERE c.document_id = %s",
        (doc,),
    ).fetchall()
    assert groups == [(["billing"], ["billing"])]


async def test_ingest__the_same_document_again_changes_nothing(corpus: Corpus):
    tenant = await corpus.tenant()
    document = DocumentIn(title="T", text="Some text here.", acl_groups=["g"], external_id="x")
    first = await corpus.documents.ingest(tenant, document)
    again = await corpus.documents.ingest(tenant, document)
    assert first.outcome == "created"
    assert (again.id, again.version, again.outcome) == (first.id, first.version, "unchanged")


async def test_ingest__an_edited_document_replaces_its_chunks(corpus: Corpus):
    tenant = await corpus.tenant()
    old = DocumentIn(title="T", text="Parcels ship by truck.", acl_groups=["g"], external_id="x")
    first = await corpus.documents.ingest(tenant, old)
    await corpus.embed_all(tenant)
    edited = old.model_copy(update={"text": "Parcels ship by drone."})
    replaced = await corpus.documents.ingest(tenant, edited)
    assert (replaced.id, replaced.outcome, replaced.version) == (first.id, "replaced", 2)
    user = reader(tenant, "g")
    assert [c.text for c in await corpus.retrieval.search(user, "truck", 5)] == []
    assert "drone" in (await corpus.retrieval.search(user, "drone", 5))[0].text


async def test_acl_change__applies_at_once_without_re_embedding(corpus: Corpus, db: Database):
    tenant = await corpus.tenant()
    doc = await corpus.add(tenant, "Seats are licensed per admin.", ["a"])
    assert await corpus.embed_all(tenant) == 1
    document = await corpus.documents.set_acl(tenant, doc, ["b"])
    assert (document.acl_groups, document.version) == (["b"], 2)
    assert await corpus.retrieval.search(reader(tenant, "a"), "seats admin", 5) == []
    assert len(await corpus.retrieval.search(reader(tenant, "b"), "seats admin", 5)) == 1
    assert await corpus.embed_all(tenant) == 0  # nothing was missing: nothing re-embedded


async def test_delete__is_gone_from_search_at_once(corpus: Corpus):
    tenant = await corpus.tenant()
    doc = await corpus.add(tenant, "Backups restore in one hour.", ["g"])
    await corpus.embed_all(tenant)
    await corpus.documents.delete(tenant, doc)
    assert await corpus.retrieval.search(reader(tenant, "g"), "backup restore", 5) == []
    with pytest.raises(DocumentNotFound):
        await corpus.documents.get(tenant, doc)


async def test_documents__of_another_tenant_are_not_found(corpus: Corpus):
    tenant = await corpus.tenant()
    other = await corpus.tenant()
    doc = await corpus.add(tenant, "Private.", ["g"])
    with pytest.raises(DocumentNotFound):
        await corpus.documents.get(other, doc)
    with pytest.raises(DocumentNotFound):
        await corpus.documents.delete(other, doc)
    with pytest.raises(DocumentNotFound):
        await corpus.documents.set_acl(other, doc, ["g"])


async def test_chunks__claim_their_documents_tenant_whatever_the_insert_says(
    corpus: Corpus, db: Database
):
    tenant = await corpus.tenant()
    other = await corpus.tenant()
    doc = await corpus.add(tenant, "Mine.", ["g"])
    async with tenant_transaction(db, tenant) as conn:
        await db.execute("chunk_delete_for_document", conn, document_id=doc)
        await db.execute(
            "chunk_insert_many", conn, document_id=doc, tenant_id=other, bodies=["forged"]
        )
    found = await corpus.retrieval.search(reader(tenant, "g"), "forged", 5)
    assert [c.document_id for c in found] == [doc]
    assert await corpus.retrieval.search(reader(other, "g"), "forged", 5) == []


def test_rls__raw_sql_as_the_runtime_role_sees_only_the_principals_rows(
    sql_conn: psycopg.Connection,
):
    tenant = sql_conn.execute("INSERT INTO tenants (slug) VALUES ('rls-raw') RETURNING id")
    tenant_id = tenant.fetchone()[0]  # type: ignore[index]
    other_id = sql_conn.execute(
        "INSERT INTO tenants (slug) VALUES ('rls-raw-other') RETURNING id"
    ).fetchone()[0]  # type: ignore[index]
    with sql_conn.transaction():
        sql_conn.execute("SET LOCAL ROLE courier_runtime")
        for tid, groups in ((tenant_id, "{a}"), (tenant_id, "{b}"), (other_id, "{a}")):
            act_tenant_wide(sql_conn, tid)
            sql_conn.execute(
                "INSERT INTO documents (tenant_id, title, body, acl_groups, content_hash) "
                "VALUES (%s, 't', 'b', %s, md5(random()::text))",
                (tid, groups),
            )

    def visible(tenant: object, groups: str | None) -> int:
        with sql_conn.transaction():
            sql_conn.execute("SET LOCAL ROLE courier_runtime")
            if tenant is not None:
                sql_conn.execute(
                    "SELECT set_config('courier.tenant_id', %s::text, true), "
                    "set_config('courier.groups', %s, true)",
                    (tenant, groups),
                )
            return sql_conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # type: ignore[index]

    assert visible(tenant_id, "{a}") == 1
    assert visible(tenant_id, "{a,b}") == 2
    assert visible(tenant_id, "{c}") == 0
    assert visible(other_id, "{a,b}") == 1
    assert visible(None, None) == 0  # no principal named: nothing


def test_rls__is_forced_and_the_runtime_role_cannot_bypass_it(sql_conn: psycopg.Connection):
    forced = sql_conn.execute(
        "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
        "WHERE relname IN ('documents', 'chunks', 'chunk_embeddings') ORDER BY relname"
    ).fetchall()
    assert forced == [("chunk_embeddings", True), ("chunks", True), ("documents", True)]
    role = sql_conn.execute(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'courier_runtime'"
    ).fetchone()
    assert role == (False, False)
    with sql_conn.transaction():
        sql_conn.execute("SET LOCAL ROLE courier_runtime")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql_conn.execute("ALTER TABLE documents DISABLE ROW LEVEL SECURITY")
