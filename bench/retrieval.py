"""Filtered retrieval under row level security: latency and recall@10 per ACL
selectivity, and the offline embedder's ingest throughput.

    python -m bench.retrieval [--chunks 100000] [--queries 50] [--database-url URL]

Synthetic chunks (topic-mixture text over a 3,000-word vocabulary, 50 words each)
in four tenants (55 %, 25 %, 10 %, 10 % of the chunks). Each chunk of the largest
tenant carries groups so that a reader with group ``s1`` sees 1 % of it, ``s10``
10 %, ``s50`` 50 % (drawn independently per chunk). Every query runs as the
runtime role with the reader's tenant and groups set as the API sets them
(``session_act_for``), so row level security is the only filter, as in production.

Per selectivity, the same queries through each vector strategy, against exact
search under the same filter (``chunk_search_exact``: no index):

* ``iterative``: HNSW with ``hnsw.iterative_scan = relaxed_order`` (Courier's
  ``session_search_tuning``: ef_search 100, max_scan_tuples 20,000);
* ``plain``: HNSW without iterative scans (pgvector's default), for contrast;
* ``exact``: the exact scan itself (its latency; recall 1 by definition);
* ``hybrid``: the full ``chunk_search_hybrid`` (vector + full text, fused) latency.

Embedding throughput is the offline ``hashed-ngrams-384`` embedder in one process
and in two (the machine's two cores). The machine is shared: figures are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import multiprocessing
import random
import statistics
import time
import tracemalloc
import uuid
from dataclasses import dataclass

import psycopg

from app.migrate import migrate
from app.queries import load_queries
from app.retrieval.embeddings import HASHED_MODEL, hashed_vector, vector_literal
from bench.intake import database

TENANT_SHARES = (0.55, 0.25, 0.10, 0.10)
SELECTIVITIES = (1, 10, 50)
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
        conn.execute("ANALYZE documents, chunks, chunk_embeddings")
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


def measure(url: str, tenant: uuid.UUID, queries: list[str]) -> list[dict]:
    sql = load_queries()
    rows = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE courier_runtime")

        def run(name: str, groups: list[str], params: dict, iterative: str) -> tuple[float, list]:
            with conn.transaction():
                conn.execute(
                    sql["session_act_for"].sql,
                    {"tenant_id": tenant, "user_id": uuid.uuid4(), "groups": groups},
                )
                conn.execute(
                    sql["session_search_tuning"].sql, {"ef_search": 100, "max_scan_tuples": 20000}
                )
                conn.execute(f"SET LOCAL hnsw.iterative_scan = {iterative}")
                started = time.perf_counter()
                found = conn.execute(sql[name].sql, params).fetchall()
                return (time.perf_counter() - started) * 1000, found

        for selectivity in SELECTIVITIES:
            groups = [f"s{selectivity}"]
            figures: dict[str, list[float]] = {}
            recalls: dict[str, list[float]] = {"iterative": [], "plain": []}
            for query in queries:
                params = {
                    "embedding": vector_literal(hashed_vector(query)),
                    "model": HASHED_MODEL,
                    "k": 10,
                }
                exact_ms, exact = run("chunk_search_exact", groups, params, "off")
                figures.setdefault("exact", []).append(exact_ms)
                truth = {r[0] for r in exact}
                for strategy, iterative in (("iterative", "relaxed_order"), ("plain", "off")):
                    ms, found = run("chunk_search_vector", groups, params, iterative)
                    figures.setdefault(strategy, []).append(ms)
                    recalls[strategy].append(
                        len({r[0] for r in found} & truth) / max(len(truth), 1)
                    )
                hybrid = params | {"text": query, "candidates": 40}
                ms, _ = run("chunk_search_hybrid", groups, hybrid, "relaxed_order")
                figures.setdefault("hybrid", []).append(ms)
            for strategy, values in figures.items():
                rows.append(
                    {
                        "selectivity": selectivity,
                        "strategy": strategy,
                        "p50": statistics.median(values),
                        "p95": percentile(values, 95),
                        "recall": statistics.mean(recalls[strategy])
                        if strategy in recalls
                        else None,
                    }
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    rng = random.Random(16)
    corpus = Synthetic.make(rng)
    with database(args.database_url) as url:
        asyncio.run(migrate(url))
        loaded = load(url, rng, args.chunks, corpus)
        queries = [corpus.query(rng) for _ in range(args.queries)]
        rows = measure(url, loaded["tenant"], queries)
    out = io.StringIO()
    out.write(
        f"{args.chunks:,} chunks in 4 tenants; the largest ({loaded['tenant_chunks']:,} chunks) "
        f"searched; {args.queries} queries per selectivity; k = 10\n\n"
        "| selectivity | strategy | p50 ms | p95 ms | recall@10 vs exact |\n|---|---|---|---|---|\n"
    )
    for row in rows:
        recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        out.write(
            f"| {row['selectivity']} % | {row['strategy']} | {row['p50']:.2f} | "
            f"{row['p95']:.2f} | {recall} |\n"
        )
    out.write(
        f"\noffline embedder ({HASHED_MODEL}): {loaded['chunks_per_s_one']:,.0f} chunks/s in one "
        f"process, {loaded['chunks_per_s_two']:,.0f} chunks/s in two; peak memory of one "
        f"embedding {loaded['embed_peak_bytes'] / 1024:.0f} KiB; COPY of everything "
        f"{loaded['copy_s']:.1f} s; HNSW build {loaded['index_s']:.1f} s\n"
    )
    print(out.getvalue())


if __name__ == "__main__":
    main()
