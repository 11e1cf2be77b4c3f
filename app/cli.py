"""The ``courier`` command.

    courier up        embedded database + migrations + API + worker + demo jobs
    courier api       the HTTP API alone
    courier worker    a worker alone (with the outbox relay, unless disabled)
    courier relay     the outbox relay alone: delivers webhooks
    courier migrate   apply pending migrations
    courier keys      create or revoke API keys
    courier budget    set a tenant's monthly model budget
    courier tenants set-tier   a tenant's tier (premium jobs start on the large model)
    courier stream-secret rotate   a new secret signs event stream links
    courier prompts   list prompt versions; pin or split a tenant's kind between them
    courier backfill  replay past jobs of a kind on the low-priority queue
    courier ingest    load documents from a JSON Lines file (embedded by workers)
    courier eval      run the eval datasets through the real pipeline; --gate for CI

Errors print one line on stderr and exit non-zero.

The CLI is Courier's composition root: the only place that wires the real job
kinds (``tasks/kinds``) into the API and the worker (app/commands.py).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from app.errors import CourierError
from app.jobs.kinds import KindRegistry
from app.logs import configure_logging
from app.settings import Settings, load_settings
from app.tenants.tiers import TENANT_TIERS


def main(argv: list[str] | None = None, *, kinds: KindRegistry | None = None) -> int:
    """Run a ``courier`` command; ``kinds`` replaces the real registry of job kinds
    (tests run the real CLI with theirs)."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # Named by the command they were given to, not by the top-level parser.
        actions = [v for k, v in vars(args).items() if k.endswith("_command") and v]
        parser.prog = " ".join(["courier", args.command, *actions])
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        settings = _settings(args)
        configure_logging(
            args.log_level
            or ("WARNING" if args.command in ("up", "backfill", "eval") else settings.log_level)
        )
        from app.commands import job_kinds

        return args.run(args, settings, kinds if kinds is not None else job_kinds())
    except CourierError as exc:
        print(f"courier: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "data_dir", None):
        settings.data_dir = Path(args.data_dir)
    if getattr(args, "host", None):
        settings.api.host = args.host
    if getattr(args, "port", None) is not None:
        settings.api.port = args.port
    if getattr(args, "concurrency", None):
        settings.worker.concurrency = args.concurrency
    return settings


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, like every other error
    of the command, instead of argparse's usage block. Every subcommand's parser is
    one too (``add_subparsers`` makes its parsers of the parent's class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="courier", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--log-level", help="DEBUG, INFO, WARNING or ERROR (default: COURIER_LOG_LEVEL)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def database_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data-dir",
            help="embedded PostgreSQL data directory parent (default .courier); "
            "ignored when DATABASE_URL is set",
        )

    def api_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
        p.add_argument("--port", type=int, help="TCP port (default 8000; 0 picks a free one)")

    from app import commands as run

    up = commands.add_parser(
        "up", help="start everything with embedded defaults and submit demo jobs of several kinds"
    )
    database_options(up)
    api_options(up)
    up.add_argument("--no-demo", action="store_true", help="do not submit the demo jobs")
    up.set_defaults(run=run.up)

    api = commands.add_parser("api", help="run the HTTP API")
    database_options(api)
    api_options(api)
    api.set_defaults(run=run.api)

    worker = commands.add_parser("worker", help="run a worker")
    database_options(worker)
    worker.add_argument("--concurrency", type=int, help="jobs run at once (default 32)")
    worker.set_defaults(run=run.worker)

    relay = commands.add_parser("relay", help="run the outbox relay alone (delivers webhooks)")
    database_options(relay)
    relay.set_defaults(run=run.relay)

    migrate = commands.add_parser("migrate", help="apply pending migrations")
    database_options(migrate)
    migrate.set_defaults(run=run.migrate)

    backfill = commands.add_parser(
        "backfill",
        help="replay past jobs of a kind as new jobs on the low-priority 'backfill' queue",
        description=(
            "Replays each original job (not replays) of KIND created since DATE as a new job "
            "(replay_of = the original) on the 'backfill' queue at the lowest priority. Each "
            "original is replayed at most once per batch (default: the kind's current prompt "
            "version), so running the same backfill again creates nothing new. An original "
            "whose replay another run is still making is skipped and logged, and the command "
            "exits with status 1 after the others."
        ),
    )
    database_options(backfill)
    backfill.add_argument("--kind", required=True, help="the job kind, e.g. email_reply")
    backfill.add_argument(
        "--since",
        required=True,
        type=_since,
        help="replay jobs created at or after this date or time (ISO 8601, UTC unless given)",
    )
    backfill.add_argument(
        "--state",
        choices=[
            "queued",
            "running",
            "needs_review",
            "succeeded",
            "failed",
            "cancelled",
            "expired",
        ],
        help="only jobs in this state (e.g. failed: the dead-letter set)",
    )
    backfill.add_argument(
        "--batch",
        help="name of this backfill, 1-200 characters (default: the kind's prompt version); "
        "a new name replays the same jobs again",
    )
    backfill.set_defaults(run=run.backfill)

    ingest = commands.add_parser(
        "ingest",
        help="load documents from a JSON Lines file into a tenant",
        description=(
            "Each line is a document as POST /v1/documents takes it (title, text, acl_groups, "
            "optional url, source, external_id, metadata). Every line is checked before any is "
            "written; documents already there unchanged are left alone. Embedding runs as "
            "worker jobs: start a worker (or `courier up`) for vector search."
        ),
    )
    database_options(ingest)
    ingest.add_argument("file", type=Path, help="the JSON Lines file")
    ingest.add_argument("--tenant", required=True, help="the tenant's slug (created if new)")
    ingest.set_defaults(run=run.ingest)

    evaluate = commands.add_parser(
        "eval",
        help="run eval datasets through the real pipeline and write report.json and report.md",
        description=(
            "Submits every case of the datasets (evals/datasets/*.jsonl) as a job of a fresh "
            "tenant, runs them with a real worker on the database (embedded unless "
            "DATABASE_URL is set) and the named provider, and reports schema and citation "
            "validity, hallucination (groundedness), injection success, PII leakage, refusal "
            "and escalation correctness, cost and latency per kind, each rate with its count "
            "and 95 %% interval. With --gate the exit status is 1 when hallucination is above "
            "2 %%, injection success above 0.5 %% or any PII leaked."
        ),
    )
    database_options(evaluate)
    evaluate.add_argument(
        "--kind", action="append", help="only cases of this kind; may repeat (default: all)"
    )
    evaluate.add_argument(
        "--dataset",
        action="append",
        help="a dataset: its name in evals/datasets (e.g. injection) or a .jsonl path; may "
        "repeat (default: all)",
    )
    evaluate.add_argument(
        "--provider",
        choices=["offline", "configured", "obedient"],
        help="offline (extractive), configured (OPENAI_API_KEY's provider) or obedient (a "
        "fake that follows every instruction); default: configured if OPENAI_API_KEY is set, "
        "else offline",
    )
    evaluate.add_argument("--gate", action="store_true", help="exit 1 when a threshold is crossed")
    evaluate.add_argument(
        "--out", default="eval-report", help="directory for report.json and report.md"
    )
    evaluate.set_defaults(run=run.evaluate)

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True, metavar="ACTION"
    )
    create = keys.add_parser(
        "create",
        help="create a key (printed alone on stdout)",
        description=(
            "Creates a key for USER of TENANT (both created as needed) with exactly the groups "
            "and roles given here, none unless given. They are the key's own and never change; "
            "the user's other keys keep theirs. To change what a key may do, create another "
            "and revoke it."
        ),
    )
    database_options(create)
    create.add_argument("--tenant", required=True, help="tenant slug; created if new")
    create.add_argument(
        "--user", required=True, help="the user's id in the tenant's system; created if new"
    )
    create.add_argument(
        "--groups", help="comma-separated ACL groups of this key, e.g. support,sales"
    )
    create.add_argument(
        "--role",
        action="append",
        choices=["reviewer", "admin"],
        help="a role of this key; may repeat",
    )
    create.set_defaults(run=run.keys_create)
    revoke = keys.add_parser("revoke", help="revoke a key")
    database_options(revoke)
    revoke.add_argument("key", help="the key, or its key_id (the 8 characters after ck_)")
    revoke.set_defaults(run=run.keys_revoke)

    budget = commands.add_parser("budget", help="manage tenant budgets").add_subparsers(
        dest="budget_command", required=True, metavar="ACTION"
    )
    budget_set = budget.add_parser(
        "set",
        help="set a tenant's monthly model budget",
        description=(
            "Sets the tenant's model budget per UTC calendar month, in US dollars. Calls reserve "
            "their worst-case cost against it before they start; when nothing is left, new jobs "
            "get 429 (refuse, the default) or calls move to the small model tier (small)."
        ),
    )
    database_options(budget_set)
    budget_set.add_argument("--tenant", required=True, help="tenant slug (must exist)")
    budget_set.add_argument(
        "--monthly-usd", required=True, type=_usd, help="US dollars per month, e.g. 250 or 12.50"
    )
    budget_set.add_argument(
        "--when-over",
        choices=["refuse", "small"],
        help="when a call does not fit: refuse (default for a new budget) or route it to the "
        "small model tier; unset keeps the tenant's current choice",
    )
    budget_set.set_defaults(run=run.budget_set)

    tenants = commands.add_parser("tenants", help="manage tenants").add_subparsers(
        dest="tenants_command", required=True, metavar="ACTION"
    )
    set_tier = tenants.add_parser(
        "set-tier",
        help="set a tenant's tier",
        description=(
            "Sets the tenant's commercial tier. Jobs of premium and enterprise tenants start on "
            "the large model tier whatever their kind's default (a budget that asks for the "
            "small tier still wins); jobs already running keep the tier they started with."
        ),
    )
    database_options(set_tier)
    set_tier.add_argument("--tenant", required=True, help="tenant slug (must exist)")
    set_tier.add_argument("--tier", required=True, choices=TENANT_TIERS, help="the new tier")
    set_tier.set_defaults(run=run.tenants_set_tier)

    secret = commands.add_parser(
        "stream-secret", help="manage the secret that signs event stream links"
    ).add_subparsers(dest="secret_command", required=True, metavar="ACTION")
    rotate = secret.add_parser(
        "rotate",
        help="a new secret signs stream links; the previous one verifies for an overlap",
        description=(
            "Adds a new secret that signs event stream links from now on (every API process "
            "picks it up within a second); links signed with the previous secrets keep working "
            "for the overlap, then stop. Default overlap: the longest a link lives "
            "(COURIER_MAX_EXPIRES_IN_SECONDS + COURIER_DELIVERY_STREAM_TOKEN_MARGIN_SECONDS); "
            "--overlap 0 cuts every earlier link off at once (a leaked secret)."
        ),
    )
    database_options(rotate)
    rotate.add_argument(
        "--overlap",
        type=_seconds,
        metavar="SECONDS",
        help="how long links signed with the previous secrets keep working",
    )
    rotate.set_defaults(run=run.stream_secret_rotate)

    prompts = commands.add_parser(
        "prompts", help="list prompt versions; pin or split a tenant's kind"
    ).add_subparsers(dest="prompts_command", required=True, metavar="ACTION")
    prompts_list = prompts.add_parser("list", help="each kind's prompt versions")
    prompts_list.set_defaults(run=run.prompts_list)
    pin = prompts.add_parser(
        "pin",
        help="run a tenant's jobs of a kind with one prompt version",
        description="Every new execution of the tenant's jobs of the kind renders this version.",
    )
    database_options(pin)
    pin.add_argument("--tenant", required=True, help="tenant slug (must exist)")
    pin.add_argument("--kind", required=True, help="job kind, e.g. email_reply")
    pin.add_argument("--version", required=True, help="e.g. 1, v1 or email_reply/v1")
    pin.set_defaults(run=run.prompts_pin)
    split = prompts.add_parser(
        "split",
        help="split a tenant's jobs of a kind between two prompt versions",
        description=(
            "PERCENT percent of the tenant's jobs of the kind (drawn from a hash of the job id: "
            "the same job always draws the same) run the second version, the rest the first. "
            "Each job records the version it ran; the prompt_versions view compares them."
        ),
    )
    database_options(split)
    split.add_argument("--tenant", required=True, help="tenant slug (must exist)")
    split.add_argument("--kind", required=True, help="job kind, e.g. email_reply")
    split.add_argument(
        "--versions", required=True, nargs=2, metavar=("VERSION", "TRIED"), help="e.g. v1 v2"
    )
    split.add_argument(
        "--percent", required=True, type=int, help="percent of jobs (1-99) that run TRIED"
    )
    split.set_defaults(run=run.prompts_split)
    unpin = prompts.add_parser(
        "unpin", help="run a tenant's jobs of a kind with the kind's current version again"
    )
    database_options(unpin)
    unpin.add_argument("--tenant", required=True, help="tenant slug (must exist)")
    unpin.add_argument("--kind", required=True, help="job kind, e.g. email_reply")
    unpin.set_defaults(run=run.prompts_unpin)
    return parser


def _usd(value: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount of US dollars: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more US dollars: {value!r}")
    return amount


def _seconds(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number of seconds (0 or more): {value!r}")
    return int(value)


def _since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
