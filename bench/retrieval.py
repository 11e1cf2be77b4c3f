"""Filtered retrieval under row level security: latency and recall@10 per ACL
selectivity, and the offline embedder's ingest throughput.

    python -m bench.retrieval [--chunks 100000] [--queries 50] [--shared-buffers 1GB]
                              [--database-url URL]

Synthetic chunks (topic-mixture text over a 3,000-word vocabulary, 50 words each)
in four tenants (55 %, 25 %, 10 %, 10 % of the chunks). Each chunk of the largest
tenant carries groups so that a reader with group ``s1`` sees 1 % of it, ``s10``
10 %, ``s50`` 50 % (drawn independently per chunk), ``all`` 100 %. Every query runs
as the runtime role with the reader's tenant and groups set as the API sets them
(``session_act_for``), so row level security is the only filter, as in production.

Per selectivity, the same queries through each vector strategy, against exact
search under the same filter (``chunk_search_exact``, recall 1 by definition):

* ``courier``: as the service runs it: ``chunk_search_path`` (the exact path up to
  ``SearchTuning.exact_limit`` visible embeddings: a scan of them all up to
  ``shortlist_above``, beyond it the ``rerank`` (700) whose codes are nearest,
  shortlisted from ``chunk_embedding_codes`` through its ACL index and ranked by true
  distance; HNSW with an iterative scan beyond), ``session_search_tuning``,
  ``chunk_search_vector``, all timed;
* ``rerank 400``: the exact path with a shortlist of 400 whatever the reader sees;
* ``exact``: the exact path before migration 0034 (and the reference): every visible
  embedding's distance, through the ACL index;
* ``hnsw ef100``, ``hnsw ef400``: the HNSW path forced (``exact_limit`` 0), relaxed
  order, max_scan_tuples 20,000, ef_search 100 (0019's) or 400 (Courier's now);
* ``plain``: HNSW without iterative scans (pgvector's default; ef_search 400), for contrast;
* ``hybrid``: the full ``chunk_search_hybrid`` (vector + full text, fused) as the
  service runs it; its recall against the same query with an exact vector side;
* ``raw``: the raw limit in the same run: the superuser (no row level security)
  scanning the same rows exactly, filtered by a literal through the same index;
* ``text``, ``text raw``: hybrid's full-text leg alone (its 40 best matches), as the
  runtime role under row level security and, its raw limit, as the superuser with
  the filter as literals (``chunks_tsv`` and the ACL index together); ``text``'s
  recall is its overlap with ``text raw``.

Embedding throughput is the offline ``hashed-ngrams-384`` embedder in one process
and in two (the machine's two cores). The machine is shared: figures are noisy, so
each row prints the load average, and latencies are also given as ratios to ``raw``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import math
import multiprocessing
import os
import random
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql as pgsql

import app.retrieval.embeddings as embeddings_module
from app.migrate import migrate
from app.queries import load_queries
from app.retrieval.embeddings import HASHED_MODEL, hashed_vector, vector_literal
from app.retrieval.service import SearchTuning

TENANT_SHARES = (0.55, 0.25, 0.10, 0.10)
SELECTIVITIES = (1, 10, 50)
READERS = {1: "s1", 10: "s10", 50: "s50", 100: "all"}
"""Selectivity (% of the tenant's chunks) → the reader's group."""
TOPICS = 60


@dataclass
class Synthetic:
    vocabulary: list[str]
    topics: list[list[str]]

    @classmethod
    def make(cls, rng: random.Random) -> Synthetic:
        syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qui", "dor"]
        words = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)})[
            :3000
        ]
        topics = [rng.sample(words, 80) for _ in range(TOPICS)]
        return cls(words, topics)

    def text(self, rng: random.Random, words: int = 50) -> str:
        topic = rng.choice(self.topics)
        # Zipf-like: a topic's words dominate, general vocabulary fills in.
        return " ".join(
            rng.choice(topic)
            if rng.random() < 0.6
            else self.vocabulary[int(rng.paretovariate(1.2)) % 3000]
            for _ in range(words)
        )

    def query(self, rng: random.Random) -> str:
        return " ".join(rng.sample(rng.choice(self.topics), 4))


def _embed_batch(texts: list[str]) -> list[str]:
    return [vector_literal(hashed_vector(t)) for t in texts]


def embed_throughput(texts: list[str]) -> tuple[float, float, list[str]]:
    """Chunks per second in one process and in two; the vectors (from the two)."""
    sample = texts[:2000]
    started = time.perf_counter()
    _embed_batch(sample)
    one = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parts = pool.map(_embed_batch, [texts[i : i + 1000] for i in range(0, len(texts), 1000)])
    two = len(texts) / (time.perf_counter() - started)
    return one, two, [v for part in parts for v in part]


def load(url: str, rng: random.Random, chunks: int, corpus: Synthetic) -> dict:
    texts = [corpus.text(rng) for _ in range(chunks)]
    tracemalloc.start()
    hashed_vector(texts[0])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    one, two, vectors = embed_throughput(texts)
    tenants, groups = [], []
    for share in TENANT_SHARES:
        tenants += [None] * int(chunks * share)
    tenants = tenants[:chunks] + [None] * (chunks - len(tenants))
    with psycopg.connect(url, autocommit=True) as conn:
        ids = []
        for i in range(len(TENANT_SHARES)):
            ids.append(
                conn.execute(
                    "INSERT INTO tenants (slug) VALUES (%s) RETURNING id", (f"bench-rag-{i}",)
                ).fetchone()[0]  # type: ignore[index]
            )
        bounds = [0]
        for share in TENANT_SHARES:
            bounds.append(bounds[-1] + int(chunks * share))
        bounds[-1] = chunks
        for n in range(chunks):
            tenant = next(i for i in range(len(TENANT_SHARES)) if n < bounds[i + 1])
            r = rng.random()
            acl = ["all"] + [f"s{s}" for s in SELECTIVITIES if r < s / 100]
            groups.append((ids[tenant], acl))
        conn.execute(
            "INSERT INTO embedding_models (model, dimensions, state, activated_at) "
            "VALUES (%s, 384, 'active', now()) ON CONFLICT DO NOTHING",
            (HASHED_MODEL,),
        )
        conn.execute("DROP INDEX chunk_embeddings_hnsw")
        conn.execute("ALTER TABLE chunks DISABLE TRIGGER chunks_copy_document")
        conn.execute("ALTER TABLE chunk_embeddings DISABLE TRIGGER chunk_embeddings_copy_chunk")
        doc_ids = [uuid.uuid4() for _ in range(chunks)]
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(
                "COPY documents (id, tenant_id, title, body, acl_groups, content_hash) FROM STDIN"
            ) as copy:
                for n in range(chunks):
                    tenant, acl = groups[n]
                    copy.write_row((doc_ids[n], tenant, f"doc {n}", texts[n], acl, str(n)))
            with cur.copy(
                # COPY writes given values into identity columns.
                "COPY chunks (id, document_id, tenant_id, acl_groups, ordinal, body) FROM STDIN"
            ) as copy:
                for n in range(chunks):
                    tenant, acl = groups[n]
                    copy.write_row((n + 1, doc_ids[n], tenant, acl, 0, texts[n]))
            with cur.copy(
                "COPY chunk_embeddings (chunk_id, model, tenant_id, acl_groups, embedding) "
                "FROM STDIN"
            ) as copy:
                for n in range(chunks):
                    tenant, acl = groups[n]
                    copy.write_row((n + 1, HASHED_MODEL, tenant, acl, vectors[n]))
        copied = time.perf_counter() - started
        conn.execute("ALTER TABLE chunks ENABLE TRIGGER chunks_copy_document")
        conn.execute("ALTER TABLE chunk_embeddings ENABLE TRIGGER chunk_embeddings_copy_chunk")
        conn.execute("SET maintenance_work_mem = '1GB'")
        started = time.perf_counter()
        conn.execute(
            "CREATE INDEX chunk_embeddings_hnsw ON chunk_embeddings "
            "USING hnsw (embedding vector_cosine_ops)"
        )
        built = time.perf_counter() - started
        # Steady state: visibility and hint bits set, as on a database in service.
        conn.execute("VACUUM (ANALYZE) documents, chunks, chunk_embeddings, chunk_embedding_codes")
    return {
        "tenant": ids[0],
        "chunks_per_s_one": one,
        "chunks_per_s_two": two,
        "embed_peak_bytes": peak,
        "copy_s": copied,
        "index_s": built,
        "tenant_chunks": bounds[1],
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Strategy:
    name: str
    query: str
    exact_limit: int
    """The path: chosen by ``chunk_search_path`` with this limit (timed with the search);
    0 forces HNSW, a huge limit the exact scan."""
    ef_search: int = SearchTuning().ef_search
    max_scan_tuples: int = 20_000
    iterative: str = "relaxed_order"
    as_owner: bool = False
    tuning: SearchTuning = SearchTuning()
    """Its shortlist on the exact path (``rerank_for``)."""


COURIER = SearchTuning()
EXACT = 2**62
STRATEGIES = (
    Strategy("raw", "raw_exact", EXACT, as_owner=True),
    Strategy("exact", "chunk_search_exact", EXACT),
    Strategy("courier", "chunk_search_vector", COURIER.exact_limit),
    Strategy(
        "rerank 400",
        "chunk_search_vector",
        COURIER.exact_limit,
        tuning=SearchTuning(shortlist_above=0, rerank=400),
    ),
    Strategy("hnsw ef100", "chunk_search_vector", 0, ef_search=100),
    Strategy("hnsw ef400", "chunk_search_vector", 0, ef_search=400),
    Strategy("plain", "chunk_search_vector", 0, iterative="off"),
    Strategy("hybrid", "chunk_search_hybrid", COURIER.exact_limit),
    Strategy(
        "hybrid exact", "chunk_search_hybrid", EXACT, tuning=SearchTuning(shortlist_above=EXACT)
    ),
    Strategy("text", "rls_text", EXACT),
    Strategy("text raw", "raw_text", EXACT, as_owner=True),
)
# The raw limit: no row level security (the owner is a superuser here), the reader's
# filter as literals, answered by the same ACL index.
RAW_EXACT = """
SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
FROM chunk_embeddings e
WHERE e.tenant_id = %(tenant)s::uuid AND courier_acl_keys(e.acl_groups) && %(groups)s::text[]
  AND e.model = %(model)s::text
ORDER BY (e.embedding <=> %(embedding)s::vector(384)) + 0, e.chunk_id
LIMIT %(k)s::int
"""

# The full-text side alone (hybrid's any-word leg: the 40 best matches): as the runtime
# role under row level security, where `@@` (not leakproof) cannot use chunks_tsv, and
# as the superuser with the reader's filter as literals, where chunks_tsv and the ACL
# index are combined (BitmapAnd): the raw limit of the text side.
TEXT_LEG = """
SELECT c.id
FROM chunks c,
     (SELECT replace(plainto_tsquery('english', %(text)s::text)::text, '&', '|')::tsquery) w (query)
WHERE c.tsv @@ w.query {filter}
ORDER BY ts_rank_cd(c.tsv, w.query) DESC, c.id
LIMIT %(candidates)s::int
"""
RLS_TEXT = TEXT_LEG.format(filter="")
RAW_TEXT = TEXT_LEG.format(
    filter="AND c.tenant_id = %(tenant)s::uuid "
    "AND courier_acl_keys(c.acl_groups) && %(groups)s::text[]"
)


def measure(url: str, tenant: uuid.UUID, queries: list[str]) -> list[dict]:
    named = {name: query.sql for name, query in load_queries().items()} | {
        "raw_exact": RAW_EXACT,
        "rls_text": RLS_TEXT,
        "raw_text": RAW_TEXT,
    }
    rows = []
    with psycopg.connect(url, autocommit=True) as conn:

        def run(strategy: Strategy, groups: list[str], params: dict) -> tuple[float, list]:
            with conn.transaction():
                if not strategy.as_owner:
                    conn.execute("SET LOCAL ROLE courier_runtime")
                conn.execute(
                    named["session_act_for"],
                    {"tenant_id": tenant, "user_id": uuid.uuid4(), "groups": groups},
                )
                started = time.perf_counter()
                path = conn.execute(
                    named["chunk_search_path"], params | {"exact_limit": strategy.exact_limit}
                ).fetchone()
                exact = bool(path and path[0])
                rerank = strategy.tuning.rerank_for(
                    path[1] if path else 0, params["k"], params["model"]
                )
                conn.execute(
                    named["session_search_tuning"],
                    {
                        "ef_search": strategy.ef_search,
                        "max_scan_tuples": strategy.max_scan_tuples,
                        "exact": exact,
                    },
                )
                conn.execute(
                    "SELECT set_config('hnsw.iterative_scan', %s, true)", (strategy.iterative,)
                )
                found = conn.execute(
                    named[strategy.query],
                    params | {"exact": exact, "rerank": rerank},
                ).fetchall()
                return (time.perf_counter() - started) * 1000, found

        for selectivity, group in READERS.items():
            groups = [group]
            figures: dict[str, list[float]] = {s.name: [] for s in STRATEGIES}
            recalls: dict[str, list[float]] = {s.name: [] for s in STRATEGIES}
            for n, query in enumerate(queries):
                params = {
                    "embedding": vector_literal(hashed_vector(query)),
                    "model": HASHED_MODEL,
                    "k": 10,
                    "text": query,
                    "candidates": COURIER.candidates,
                    "tenant": tenant,
                    "groups": groups,
                }
                found = {}
                for strategy in STRATEGIES:
                    if n == 0:  # warm the caches for this reader before timing
                        run(strategy, groups, params)
                    ms, result = run(strategy, groups, params)
                    figures[strategy.name].append(ms)
                    found[strategy.name] = {r[0] for r in result}
                truth = found["exact"]
                for name in ("courier", "rerank 400", "hnsw ef100", "hnsw ef400", "plain", "raw"):
                    recalls[name].append(len(found[name] & truth) / max(len(truth), 1))
                reference = found["hybrid exact"]
                recalls["hybrid"].append(len(found["hybrid"] & reference) / max(len(reference), 1))
                # Row level security must change nothing but the time.
                raw_text = found["text raw"]
                recalls["text"].append(
                    len(found["text"] & raw_text) / len(raw_text) if raw_text else 1.0
                )
            raw_p50 = statistics.median(figures["raw"])
            for strategy in STRATEGIES:
                values = figures[strategy.name]
                rows.append(
                    {
                        "selectivity": selectivity,
                        "strategy": strategy.name,
                        "p50": statistics.median(values),
                        "p95": percentile(values, 95),
                        "ratio": statistics.median(values) / raw_p50,
                        "recall": statistics.mean(recalls[strategy.name])
                        if recalls[strategy.name]
                        else None,
                        "load": os.getloadavg()[0],
                    }
                )
    return rows


@contextlib.contextmanager
def database(url: str | None, shared_buffers: str) -> Iterator[str]:
    """The given database, or an embedded one given ``shared_buffers`` (PostgreSQL's
    default of 128 MB holds a third of this bench's embeddings and their index)."""
    if url:
        yield url
        return
    from app.embedded import embedded_database, start_embedded_database, stop_embedded_database

    with (
        tempfile.TemporaryDirectory(prefix="courier-bench-") as tmp,
        embedded_database(Path(tmp)) as embedded,
    ):
        if shared_buffers:
            with psycopg.connect(embedded, autocommit=True) as conn:
                conn.execute(
                    pgsql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(
                        pgsql.Literal(shared_buffers)
                    )
                )
            stop_embedded_database(Path(tmp))
            start_embedded_database(Path(tmp), embedded)
        yield embedded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--shared-buffers", default="1GB")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    rng = random.Random(16)
    corpus = Synthetic.make(rng)
    with database(args.database_url, args.shared_buffers) as url:
        asyncio.run(migrate(url))
        loaded = load(url, rng, args.chunks, corpus)
        queries = [corpus.query(rng) for _ in range(args.queries)]
        with psycopg.connect(url) as conn:
            buffers = conn.execute("SHOW shared_buffers").fetchone()[0]  # type: ignore[index]
        rows = measure(url, loaded["tenant"], queries)
    out = io.StringIO()
    out.write(
        f"{args.chunks:,} chunks in 4 tenants; the largest ({loaded['tenant_chunks']:,} chunks) "
        f"searched; {args.queries} queries per selectivity; k = 10; shared_buffers {buffers}; "
        f"courier's exact_limit {COURIER.exact_limit:,}, shortlist_above "
        f"{COURIER.shortlist_above:,}, rerank {COURIER.rerank:,}\n\n"
        "| selectivity | strategy | p50 ms | p95 ms | p50 / raw | recall@10 vs exact | load |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    for row in rows:
        recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        out.write(
            f"| {row['selectivity']} % | {row['strategy']} | {row['p50']:.2f} | "
            f"{row['p95']:.2f} | {row['ratio']:.2f} | {recall} | {row['load']:.2f} |\n"
        )
    source = Path(embeddings_module.__file__)
    out.write(
        f"\noffline embedder ({HASHED_MODEL}): {loaded['chunks_per_s_one']:,.0f} chunks/s in one "
        f"process, {loaded['chunks_per_s_two']:,.0f} chunks/s in two; peak memory of one "
        f"embedding {loaded['embed_peak_bytes'] / 1024:.0f} KiB; install size: its module, "
        f"{source.stat().st_size / 1024:.0f} KiB, no model file; COPY of everything "
        f"{loaded['copy_s']:.1f} s ({args.chunks / loaded['copy_s']:,.0f} chunks/s, with the "
        f"ACL count triggers); HNSW build {loaded['index_s']:.1f} s\n"
    )
    print(out.getvalue())


if __name__ == "__main__":
    main()
