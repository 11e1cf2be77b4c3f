"""What each ``courier`` command does (argument parsing is in app/cli.py).

The composition root: the one module of ``app/`` that imports ``tasks/``. It
holds the real job kinds (:func:`job_kinds`) and starts the worker
(``tasks.worker``). Every command takes ``(args, settings, kinds)``: the registry
it passes to the API (``create_app``), the worker and the backfill.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from app.db import RUNTIME_ROLE, ConstraintViolation, Database, create_pool
from app.delivery.links import StreamSecretConfigured, rotate_stream_secret
from app.demo import DEMO_REQUESTS, run_demo
from app.errors import CourierError
from app.jobs.kinds import KindRegistry
from app.keys.service import KeyService, explain_refusal
from app.logs import log_handler
from app.migrate import check as check_migrations
from app.migrate import migrate as apply_migrations
from app.prompts.experiments import PromptPolicies
from app.serve import api_server, database_url, run, stop_all, stop_event_on_signals, wait_started
from app.settings import Settings

T = TypeVar("T")
BACKFILL_QUEUE = "backfill"
BACKFILL_PRIORITY = -100  # the lowest: live jobs always go first


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def job_kinds() -> KindRegistry:
    """The real registry of job kinds (tasks/kinds)."""
    from tasks.kinds import KINDS

    return KINDS


def migrate(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    with database_url(settings) as (url, _):
        applied = asyncio.run(apply_migrations(url))
    _err(f"applied: {', '.join(applied)}" if applied else "the database is up to date")
    return 0


def keys_create(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    groups = [g.strip() for g in args.groups.split(",") if g.strip()] if args.groups else None

    async def create(url: str) -> str:
        async with _database(url, admin=True) as db:
            key, principal = await KeyService(db).create(args.tenant, args.user, groups, args.role)
        _err(
            f"created key {principal.key_id} for user {args.user!r} of tenant {args.tenant!r} "
            f"(groups: {', '.join(principal.acl_groups) or 'none'}; "
            f"roles: {', '.join(principal.roles) or 'none'}). "
            "It is shown once; only its hash is stored."
        )
        return key

    with database_url(settings) as (url, _):
        asyncio.run(apply_migrations(url))
        print(asyncio.run(create(url)), flush=True)
    return 0


def keys_revoke(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    async def revoke(url: str) -> dict:
        async with _database(url, admin=True) as db:
            return await KeyService(db).revoke(args.key)

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        row = asyncio.run(revoke(url))
    when = row["revoked_at"].isoformat(timespec="seconds")
    _err(
        f"key {row['key_id']} was already revoked at {when}"
        if row["already_revoked"]
        else f"revoked key {row['key_id']}"
    )
    return 0


def budget_set(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from app.tenants.budgets import BudgetService

    async def set_budget(url: str) -> Any:
        async with _database(url, admin=True) as db:
            return await BudgetService(db).set(args.tenant, args.monthly_usd, args.when_over)

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        budget = asyncio.run(set_budget(url))
    _err(
        f"budget of tenant {args.tenant!r}: ${budget.monthly_usd} per UTC month; "
        f"when over: {budget.when_over}"
    )
    return 0


def tenants_set_tier(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from app.tenants.tiers import TenantTiers

    async def set_tier(url: str) -> Any:
        async with _database(url, admin=True) as db:
            return await TenantTiers(db).set(args.tenant, args.tier)

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        tier = asyncio.run(set_tier(url))
    _err(f"tier of tenant {tier.slug!r}: {tier.tier}")
    return 0


def stream_secret_rotate(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    if settings.delivery.stream_token_secret:
        raise StreamSecretConfigured(
            "the stream link secret is set by COURIER_DELIVERY_STREAM_TOKEN_SECRET: set a new one "
            "and list the old one in COURIER_DELIVERY_STREAM_TOKEN_PREVIOUS_SECRETS for the overlap"
        )
    overlap = timedelta(
        seconds=args.overlap
        if args.overlap is not None
        else settings.max_expires_in_seconds + settings.delivery.stream_token_margin_seconds
    )

    async def rotate(url: str) -> dict:
        async with _database(url, admin=True) as db:
            return await rotate_stream_secret(db, overlap)

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        row = asyncio.run(rotate(url))
    until = row["previous_retire_at"]
    _err(
        "a new secret signs stream links; "
        + (
            f"links signed before keep working until {until.isoformat(timespec='seconds')}"
            if until is not None
            else "no earlier secret was still verifying"
        )
    )
    return 0


def prompts_list(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    for kind in sorted(kinds.values(), key=lambda k: k.name):
        if kind.prompts is not None:
            print(
                f"{kind.name}\tcurrent {kind.prompts.current}\t"
                f"versions {', '.join(kind.prompts.versions)}",
                flush=True,
            )
    return 0


def prompts_pin(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    policy = _with_prompt_policies(
        settings, kinds, lambda p: p.pin(args.tenant, args.kind, args.version)
    )
    _err(f"tenant {args.tenant!r} runs {args.kind} with {policy.version}")
    return 0


def prompts_split(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    version, tried = args.versions
    policy = _with_prompt_policies(
        settings, kinds, lambda p: p.split(args.tenant, args.kind, version, tried, args.percent)
    )
    _err(
        f"tenant {args.tenant!r} runs {args.kind} with {policy.split_version} for "
        f"{policy.split_percent}% of its jobs and {policy.version} for the rest"
    )
    return 0


def prompts_unpin(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    removed = _with_prompt_policies(settings, kinds, lambda p: p.unpin(args.tenant, args.kind))
    current = kinds[args.kind].prompt_version
    _err(
        f"tenant {args.tenant!r} runs {args.kind} with its current version {current}"
        if removed
        else f"tenant {args.tenant!r} had no prompt policy for {args.kind}"
    )
    return 0


def _with_prompt_policies(
    settings: Settings, kinds: KindRegistry, action: Callable[[PromptPolicies], Awaitable[T]]
) -> T:
    """``action`` on the prompt policies, as an operator (the URL's own user)."""

    async def act(url: str) -> T:
        async with _database(url, admin=True) as db:
            return await action(PromptPolicies(db, kinds))

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        return asyncio.run(act(url))


def backfill(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from datetime import timedelta

    from app.jobs.queue import JobQueue, create_queue_app
    from app.jobs.schemas import JobState
    from app.jobs.service import BackfillProgress, JobService

    bar = _ProgressBar()

    async def replay(url: str) -> BackfillProgress:
        async with _database(url) as db:
            queue_app = create_queue_app()
            await queue_app.open_async(pool=db.pool)
            try:
                service = JobService(
                    db,
                    JobQueue(queue_app),
                    kinds,
                    max_expires_in=timedelta(days=365),
                    idempotency_wait=timedelta(seconds=30),
                )
                return await service.backfill(
                    kind=args.kind,
                    since=args.since,
                    state=JobState(args.state) if args.state else None,
                    batch=args.batch,
                    queue=BACKFILL_QUEUE,
                    priority=BACKFILL_PRIORITY,
                    on_progress=bar.show,
                )
            finally:
                await queue_app.close_async()

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        done = asyncio.run(replay(url))
    bar.close()
    skipped = (
        f"; {done.skipped} skipped (see the log; run the same backfill again to retry them)"
        if done.skipped
        else ""
    )
    _err(
        f"backfill of {args.kind}: {done.seen} jobs, {done.created} replays queued on "
        f"'{BACKFILL_QUEUE}', {done.existing} already replayed{skipped}"
    )
    return 1 if done.skipped else 0


class IngestFileError(CourierError):
    """A line of the file is not a document."""


def ingest(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from app.jobs.queue import create_queue_app
    from app.retrieval.service import DocumentService, EmbeddingQueue, IngestProgress

    documents = _read_documents(args.file)
    bar = _ProgressBar()

    async def load(url: str) -> IngestProgress:
        async with _database(url, admin=True) as admin:
            try:
                tenant = await admin.fetch_one("tenant_ensure", slug=args.tenant)
            except ConstraintViolation as exc:
                raise CourierError(explain_refusal(exc.constraint)) from exc
        async with _database(url) as db:
            queue_app = create_queue_app()
            await queue_app.open_async(pool=db.pool)
            try:
                service = DocumentService(
                    db,
                    EmbeddingQueue(queue_app),
                    chunk_words=settings.retrieval.chunk_words,
                    chunk_overlap_words=settings.retrieval.chunk_overlap_words,
                )
                return await service.ingest_many(tenant["id"], documents, on_progress=bar.show)
            finally:
                await queue_app.close_async()

    with database_url(settings) as (url, _):
        asyncio.run(check_migrations(url))
        done = asyncio.run(load(url))
    bar.close()
    _err(
        f"ingested {done.seen} documents into {args.tenant!r}: {done.created} new, "
        f"{done.replaced} replaced, {done.existing} unchanged; embedding runs on the workers"
    )
    return 0


def _read_documents(path: Path) -> list[Any]:
    """Every line of ``path`` as a document, or :class:`IngestFileError` naming the
    first bad line (nothing is written then)."""
    from pydantic import ValidationError

    from app.retrieval.schemas import DocumentIn

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestFileError(f"cannot read {path}: {exc}") from exc
    documents = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            documents.append(DocumentIn.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(map(str, first["loc"])) or "the line"
            raise IngestFileError(f"{path}:{number}: {where}: {first['msg']}") from exc
    return documents


@contextlib.contextmanager
def _logs_to(path: Path) -> Iterator[None]:
    """The run's log records into ``path`` instead of the terminal: every held case logs
    its safety stop, and hundreds of those between the progress bar's lines hid it."""
    root = logging.getLogger()
    before = root.handlers[:]
    with path.open("w", encoding="utf-8") as stream:
        root.handlers[:] = [log_handler(stream, root.level)]
        try:
            yield
        finally:
            root.handlers[:] = before


def evaluate(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from evals.datasets import DatasetError, dataset_paths, load_cases
    from evals.providers import provider_settings, runnable
    from evals.report import build, writable, write
    from evals.runner import run_cases

    paths = dataset_paths(args.dataset)
    cases = load_cases(paths)
    if args.kind:
        unknown = sorted(set(args.kind) - set(kinds))
        if unknown:
            raise DatasetError(f"unknown kind {unknown[0]!r}; known: {', '.join(sorted(kinds))}")
        cases = [c for c in cases if c.kind in args.kind]
    if not cases:
        raise DatasetError("no eval cases to run for these --kind and --dataset")
    provider = args.provider or ("configured" if settings.llm.api_key else "offline")
    cases, skipped = runnable(cases, kinds, provider)
    if not cases:
        raise DatasetError(f"no eval cases to run: {skipped[0].reason}")
    writable(Path(args.out))  # before minutes of cases, not after
    bar = _ProgressBar(counts=False)

    def progress(done: int, total: int) -> None:
        bar.show(_Progress(total=total, seen=done))

    log_path = Path(args.out) / "eval.log"
    with (
        _logs_to(log_path),
        provider_settings(settings, provider) as chosen,
        database_url(chosen) as (url, _),
    ):
        chosen.database.url = url
        results = run(
            run_cases(chosen, kinds, cases, on_progress=progress, judge=provider == "configured")
        )
    bar.close()
    report = build(results, provider=provider, datasets=[p.stem for p in paths], skipped=skipped)
    as_json, as_md = write(report, Path(args.out))
    for name, value in report["metrics"].items():
        if value["n"]:
            low, high = value["interval_95"]
            _err(
                f"{name:<27} {value['rate']:>7.2%}  {value['count']:>4}/{value['n']:<4} "
                f"95% [{low:.1%}, {high:.1%}]"
            )
    if skipped:
        _err(f"skipped {len(skipped)} cases: " + "; ".join(sorted({s.reason for s in skipped})))
    gate = report["gate"]
    _err(f"report: {as_json} and {as_md}; the run's log: {log_path}")
    if args.gate and not gate["passed"]:
        _err("gate failed: " + "; ".join(gate["failures"]))
        return 1
    return 0


@dataclass(frozen=True)
class _Progress:
    total: int
    seen: int


class _ProgressBar:
    """A one-line progress bar on stderr (redrawn in place on a terminal, every 10 % otherwise)."""

    def __init__(self, width: int = 30, *, counts: bool = True) -> None:
        self.width = width
        self.counts = counts  # a backfill's new/existing/skipped counts
        self.tty = sys.stderr.isatty()
        self.last_tenth = -1

    def show(self, progress: Any) -> None:
        total = max(progress.total, 1)
        fraction = min(progress.seen / total, 1.0)
        tenth = int(fraction * 10)
        if not self.tty and tenth == self.last_tenth and progress.seen != progress.total:
            return
        self.last_tenth = tenth
        filled = int(fraction * self.width)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {progress.seen}/{progress.total}"
        if self.counts:
            line += f" (new {progress.created}, existing {progress.existing}" + (
                f", skipped {progress.skipped})" if progress.skipped else ")"
            )
        sys.stderr.write(("\r" + line) if self.tty else line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


def api(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    async def serve() -> None:
        await check_migrations(settings.database.url)  # type: ignore[arg-type]
        stop = stop_event_on_signals()
        server = api_server(settings, kinds)
        task = asyncio.create_task(server.serve())
        await wait_started(server, task)
        _err(f"Courier API on http://{settings.api.host}:{server.port}")
        await _until(stop, task)
        await stop_all(server, task)

    with database_url(settings) as (url, _):
        settings.database.url = url
        run(serve())
    return 0


def worker(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from tasks.worker import check_model_prices, run_worker

    check_model_prices(settings)  # before connecting to anything

    async def work() -> None:
        await check_migrations(settings.database.url)  # type: ignore[arg-type]
        stop = stop_event_on_signals()
        task = asyncio.create_task(run_worker(settings, kinds, install_signal_handlers=False))
        await _until(stop, task)
        await stop_all(None, None, task)

    with database_url(settings) as (url, _):
        settings.database.url = url
        run(work())
    return 0


def relay(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from tasks.worker import run_relay

    async def deliver() -> None:
        await check_migrations(settings.database.url)  # type: ignore[arg-type]
        stop = stop_event_on_signals()
        task = asyncio.create_task(run_relay(settings))
        _err("Courier outbox relay running")
        await _until(stop, task)
        await stop_all(None, None, task)

    with database_url(settings) as (url, _):
        settings.database.url = url
        run(deliver())
    return 0


def up(args: argparse.Namespace, settings: Settings, kinds: KindRegistry) -> int:
    from tasks.worker import check_model_prices

    check_model_prices(settings)  # before starting a database
    with database_url(settings) as (url, embedded):
        settings.database.url = url
        where = (
            f"embedded PostgreSQL in {settings.data_dir / 'pgdata'}" if embedded else "DATABASE_URL"
        )
        run(_up(settings, kinds, where, demo=not args.no_demo))
    _err("Courier stopped.")
    return 0


async def _up(settings: Settings, kinds: KindRegistry, where: str, *, demo: bool) -> None:
    from tasks.worker import run_worker

    url = settings.database.url
    assert url
    applied = await apply_migrations(url)
    key = await _demo_key(url, settings.data_dir)
    stop = stop_event_on_signals()
    server = api_server(settings, kinds)
    server_task = asyncio.create_task(server.serve())
    worker_task = asyncio.create_task(run_worker(settings, kinds, install_signal_handlers=False))
    try:
        await wait_started(server, server_task)
        base = f"http://{settings.api.host}:{server.port}"
        _print_banner(base, key, where, applied, _models(settings))
        if demo:
            await run_demo(base, key, stop, set(kinds))
        print("Press Ctrl-C to stop.", flush=True)
        await _until(stop, server_task, worker_task)
    finally:
        await stop_all(server, server_task, worker_task)


async def _until(stop: asyncio.Event, *tasks: asyncio.Task) -> None:
    """Wait for a stop signal, or for any task to end (re-raising its error)."""
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    for task in done:
        if task is not stopper:
            task.result()


class _database:
    """A short-lived pool for one CLI action: as the runtime role, or, for what only an
    operator may do (creating and revoking API keys, setting budgets), as the URL's own user."""

    def __init__(self, url: str, *, admin: bool = False) -> None:
        role = None if admin else RUNTIME_ROLE
        self.pool = create_pool(url, min_size=1, max_size=2, timeout=10, role=role)

    async def __aenter__(self) -> Database:
        await self.pool.open(wait=True, timeout=30)
        return Database(self.pool)

    async def __aexit__(self, *exc: object) -> None:
        await self.pool.close()


async def _demo_key(url: str, data_dir: Path) -> str:
    """The demo tenant's key, kept in <data_dir>/demo-key (mode 0600) so runs reuse it."""
    path = data_dir.expanduser() / "demo-key"
    async with _database(url, admin=True) as db:
        keys = KeyService(db)
        if path.exists():
            saved = path.read_text().strip()
            if await keys.is_live(saved):
                return saved
        key, _ = await keys.create("demo", "demo-user", ["everyone"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key


def _models(settings: Settings) -> str:
    """Which models answer jobs, for the banner."""
    llm = settings.llm
    if llm.provider_key() is None:
        return "extractive (built in; set OPENAI_API_KEY or OPENAI_BASE_URL for a model provider)"
    return (
        f"{llm.model_small} (small), {llm.model_large} (large) at "
        f"{llm.base_url or 'OpenAI'}; extractive as the last fallback"
    )


def _print_banner(base: str, key: str, where: str, applied: list[str], models: str) -> None:
    body = json.dumps(DEMO_REQUESTS[0]["input"]["question"])
    print(
        f"""Courier is up.
  API:       {base}   (OpenAPI: {base}/schema/swagger)
  Database:  {where}{" (migrated: " + ", ".join(applied) + ")" if applied else ""}
  Models:    {models}
  API key:   {key}

Try it:
  export COURIER_KEY={key}
  curl -s -X POST {base}/v1/jobs -H "Authorization: Bearer $COURIER_KEY" \\
       -H "Idempotency-Key: $(date +%s%N)" -H 'Content-Type: application/json' \\
       -d '{{"kind": "email_reply", "input": {{"thread": [{{"sender": "a@example.com", "sent_at": "2026-11-20T09:00:00Z", "body": "The refund takes 5 days."}}], "question": {body}}}}}'
  curl -s {base}/v1/jobs/<id> -H "Authorization: Bearer $COURIER_KEY"          # poll (ETag, Retry-After)
  curl -s {base}/v1/jobs/<id>/events -H "Authorization: Bearer $COURIER_KEY"   # history
""",  # noqa: E501 (printed for copy-paste: the curl lines cannot be wrapped)
        flush=True,
    )
