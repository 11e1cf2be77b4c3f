"""The `courier` command as a user runs it: subprocesses on a fresh directory."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import pytest

from app.demo import DEMO_REQUESTS
from app.keys.service import KeyService
from app.settings import KEYLESS_SERVER_KEY
from tests.support.requests import email_reply_request
from tests.support.waiting import wait_for_sync

COURIER = [sys.executable, "-m", "app.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _run(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        COURIER + args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COURIER_", "OPENAI_")) and k != "DATABASE_URL"
    }
    env["PYTHONPATH"] = str(ROOT)
    return env | extra


def test_keys_create__prints_only_the_key_on_stdout(database_url):
    result = _run(
        [
            "keys",
            "create",
            "--tenant",
            "acme",
            "--user",
            "alice",
            "--groups",
            "support,sales",
            "--role",
            "reviewer",
        ],
        _env(DATABASE_URL=database_url),
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"ck_[0-9a-f]{8}_[A-Za-z0-9_-]{32}\n", result.stdout)
    assert "support, sales" in result.stderr and "reviewer" in result.stderr


async def test_keys_create__a_new_key_for_a_user_leaves_their_other_keys_as_they_were(
    database_url, db
):
    def create(*rights: str) -> str:
        result = _run(
            ["keys", "create", "--tenant", "acme", "--user", "alice", *rights],
            _env(DATABASE_URL=database_url),
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    plain = create("--groups", "support")
    admin = create("--role", "admin")
    reviewer = create("--role", "reviewer", "--groups", "sales")

    keys = [await KeyService(db).authenticate(f"Bearer {k}") for k in (plain, admin, reviewer)]
    assert [(k.roles, k.acl_groups) for k in keys] == [
        ((), ("support",)),
        (("admin",), ()),
        (("reviewer",), ("sales",)),
    ]


def test_keys_revoke__then_the_key_is_refused(database_url, sql_conn):
    key = _run(
        ["keys", "create", "--tenant", "acme", "--user", "bob"], _env(DATABASE_URL=database_url)
    ).stdout.strip()
    result = _run(["keys", "revoke", key], _env(DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr
    assert sql_conn.execute("SELECT revoked_at IS NOT NULL FROM api_keys").fetchone() == (True,)


def test_stream_secret_rotate__a_new_secret_signs_and_the_others_retire_after_the_overlap(
    database_url, sql_conn
):
    result = _run(["stream-secret", "rotate", "--overlap", "600"], _env(DATABASE_URL=database_url))

    assert result.returncode == 0, result.stderr
    assert "links signed before keep working until" in result.stderr
    signing, retiring = sql_conn.execute(
        "SELECT count(*) FILTER (WHERE retires_at IS NULL), "
        "count(*) FILTER (WHERE retires_at BETWEEN now() + interval '590 s' "
        "AND now() + interval '600 s') FROM stream_token_secrets"
    ).fetchone()
    assert (signing, retiring) == (1, 1)
    configured = _run(
        ["stream-secret", "rotate"],
        _env(DATABASE_URL=database_url, COURIER_DELIVERY_STREAM_TOKEN_SECRET="s" * 32),
    )
    assert configured.returncode == 1
    assert "COURIER_DELIVERY_STREAM_TOKEN_PREVIOUS_SECRETS" in configured.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["keys", "create", "--tenant", "Not A Slug", "--user", "u"], "tenant must be"),
        (["keys", "revoke", "ck_nothere"], "no API key"),
    ],
)
def test_cli_errors__are_one_line_and_nonzero(database_url, args, message):
    result = _run(args, _env(DATABASE_URL=database_url))
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize("command", [["worker"], ["up", "--no-demo"]])
def test_model_tiers__without_a_price_refuse_to_start_in_one_line(database_url, command, tmp_path):
    """A call to an unpriced model could never start (its worst case is reserved first):
    a worker, or `courier up`, says so at once instead of failing every job."""
    result = _run(
        command,
        _env(DATABASE_URL=database_url, OPENAI_API_KEY="test", COURIER_MODEL_SMALL="llama3.1-8b"),
        cwd=tmp_path,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "courier: no price for COURIER_MODEL_SMALL=llama3.1-8b: add it to COURIER_PRICES_MODELS "
        '(US dollars per million tokens), e.g. \'{"llama3.1-8b": {"input_per_mtok": 0, '
        '"cached_input_per_mtok": 0, "output_per_mtok": 0}}\' for a self-hosted model, '
        'or a "*" entry'
    ]
    assert not (tmp_path / ".courier").exists()  # nothing was started


def test_api__refuses_to_start_on_an_unmigrated_database(postgres_admin_url):
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = f"courier_empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        result = _run(
            ["api", "--port", "0"],
            _env(DATABASE_URL=make_conninfo(postgres_admin_url, dbname=name)),
        )
        assert result.returncode == 1
        assert "courier migrate" in result.stderr
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


SELF_HOSTED = {
    "COURIER_MODEL_SMALL": "llama3.1-8b",
    "COURIER_MODEL_LARGE": "llama3.1-70b",
    "COURIER_PRICES_MODELS": '{"*": {"input_per_mtok": 0, "cached_input_per_mtok": 0, '
    '"output_per_mtok": 0}}',
}
"""A compatible server's own model names, priced (at nothing) by a "*" entry."""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("with_model", "model_env", "small"),
    [
        (False, {}, "extractive"),
        (True, {"OPENAI_API_KEY": "test"}, "gpt-4.1-mini"),
        (True, SELF_HOSTED, "llama3.1-8b"),
    ],
    ids=["extractive", "openai_base_url", "keyless_compatible_server_with_its_own_models"],
)
def test_up__on_an_empty_directory_serves_requests_and_runs_a_job(
    cluster_dir: Path, fake_openai, with_model: bool, model_env: dict[str, str], small: str
):
    """`courier up --no-demo` with no DATABASE_URL: embedded PostgreSQL, migrations, API,
    worker; jobs answered by the extractive provider, or with OPENAI_BASE_URL by that
    OpenAI-compatible server (with its own model names too, and no OPENAI_API_KEY: a
    local server that needs none)."""
    if with_model:
        model_env = model_env | {"OPENAI_BASE_URL": fake_openai.url + "/v1"}
    process = subprocess.Popen(
        COURIER + ["up", "--no-demo", "--port", "0"],
        cwd=cluster_dir,
        env=_env(**model_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = _read_until(process, "Press Ctrl-C to stop.")
        base = re.search(r"API:\s+(http://\S+)", banner).group(1)
        key = re.search(r"API key:\s+(ck_\S+)", banner).group(1)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            job = client.post(
                "/v1/jobs", json=email_reply_request(), headers={"Idempotency-Key": "up"}
            ).json()
            wait_for_sync(
                lambda: client.get(f"/v1/jobs/{job['id']}").json()["state"] == "succeeded",
                timeout=60,
                what="the job to succeed",
            )
            model = client.get(f"/v1/jobs/{job['id']}").json()["model"]
        assert model == small
        assert fake_openai.models() == ([small] if with_model else [])
        if with_model:
            sent = fake_openai.requests[0].headers["authorization"]
            assert sent == f"Bearer {model_env.get('OPENAI_API_KEY', KEYLESS_SERVER_KEY)}"
        assert (f"{small} (small)" if with_model else "Models:    extractive") in banner
        assert (cluster_dir / ".courier" / "pgdata" / "PG_VERSION").exists()
        assert (cluster_dir / ".courier" / "demo-key").read_text().strip() == key
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Courier stopped." in err
    assert not (cluster_dir / ".courier" / "pgdata" / "postmaster.pid").exists(), (
        "the embedded PostgreSQL still runs"
    )


def test_up__demo_runs_a_job_of_each_demo_kind_and_prints_what_each_returned(cluster_dir: Path):
    """`courier up` (the README's first command) submits the demo jobs over HTTP, prints
    their events as they happen and each result, offline (no model configured)."""
    process = subprocess.Popen(
        COURIER + ["up", "--port", "0"],
        cwd=cluster_dir,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        output = _read_until(process, "Press Ctrl-C to stop.", timeout=180)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    kinds = [request["kind"] for request in DEMO_REQUESTS]
    assert len(kinds) >= 3
    assert f"Demo: {len(kinds)} jobs submitted ({', '.join(kinds)})" in output
    for kind in kinds:
        assert re.search(rf"^  {kind} +\d+\. succeeded ", output, re.M), output
        assert re.search(rf"^{kind} \((extractive|template)[^)]*\):$", output, re.M), output


def _read_until(process: subprocess.Popen, marker: str, timeout: float = 120) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"courier exited early: {''.join(seen)}\n{process.stderr.read()}")
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} within {timeout}s: {''.join(seen)}")


@pytest.mark.parametrize(
    ("command", "ready"),
    [
        (["relay"], "Courier outbox relay running"),
        (["worker"], "worker_started"),
        (["api", "--port", "0"], "Courier API on"),
    ],
)
def test_long_running_commands__stop_cleanly_on_sigterm(database_url, command, ready):
    import threading

    process = subprocess.Popen(
        COURIER + command,
        env=_env(DATABASE_URL=database_url, COURIER_LOG_LEVEL="INFO"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err_lines: list[str] = []
    reader = threading.Thread(target=lambda: err_lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        # Up means: it said so, after installing its signal handlers.
        wait_for_sync(
            lambda: any(ready in line for line in err_lines),
            timeout=60,
            what=f"courier {command[0]} to start",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        reader.join(timeout=10)
        process.stdout.close()
        process.stderr.close()
    err = "".join(err_lines)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_api__sigterm_ends_open_event_streams_instead_of_waiting_for_them(database_url):
    import socket as _socket
    import threading

    env = _env(DATABASE_URL=database_url)
    key = _run(["keys", "create", "--tenant", "acme", "--user", "web"], env).stdout.strip()
    with _socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        COURIER + ["api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    ended = threading.Event()
    try:
        wait_for_sync(lambda: _answers(base), timeout=60, what="the API to answer")
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60
        ) as client:
            job = client.post(
                "/v1/jobs", json=email_reply_request(), headers={"Idempotency-Key": "s"}
            ).json()
            with client.stream(
                "GET", f"/v1/jobs/{job['id']}/events", headers={"Accept": "text/event-stream"}
            ) as stream:
                lines = stream.iter_lines()
                assert next(line for line in lines if line.startswith("id:")) == "id: 1"
                process.send_signal(signal.SIGTERM)
                for _ in lines:  # the server ends the stream; no graceful-timeout wait
                    pass
                ended.set()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert ended.is_set() and process.returncode == 0, err
    assert "graceful shutdown exceeded" not in err and "Traceback" not in err


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_api__on_a_port_in_use_says_so_in_one_line(database_url):
    import socket as _socket

    with _socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(
            ["api", "--port", str(port)],
            _env(DATABASE_URL=database_url, COURIER_LOG_LEVEL="CRITICAL"),
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"courier: could not listen on 127.0.0.1:{port} (is the port in use?)"
    ]


def test_budget_set__sets_the_tenants_monthly_budget(database_url, sql_conn):
    env = _env(DATABASE_URL=database_url)
    _run(["keys", "create", "--tenant", "acme", "--user", "alice"], env)

    first = _run(["budget", "set", "--tenant", "acme", "--monthly-usd", "12.5"], env)
    second = _run(
        ["budget", "set", "--tenant", "acme", "--monthly-usd", "20", "--when-over", "small"], env
    )

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "$12.50" in first.stderr and "refuse" in first.stderr
    assert sql_conn.execute(
        "SELECT t.slug, b.monthly_usd, b.when_over FROM tenant_budgets b "
        "JOIN tenants t ON t.id = b.tenant_id"
    ).fetchall() == [("acme", Decimal("20"), "small")]


def test_budget_set__keeps_a_budget_below_a_cent_exactly(database_url, sql_conn):
    env = _env(DATABASE_URL=database_url)
    _run(["keys", "create", "--tenant", "acme", "--user", "alice"], env)

    result = _run(["budget", "set", "--tenant", "acme", "--monthly-usd", "0.0045"], env)

    assert result.returncode == 0, result.stderr
    assert "$0.0045 per UTC month" in result.stderr
    assert sql_conn.execute("SELECT monthly_usd FROM tenant_budgets").fetchall() == [
        (Decimal("0.0045"),)
    ]


def test_tenants_set_tier__sets_the_tenants_tier(database_url, sql_conn):
    env = _env(DATABASE_URL=database_url)
    _run(["keys", "create", "--tenant", "acme", "--user", "alice"], env)
    tier = "SELECT tier FROM tenants WHERE slug = 'acme'"
    assert sql_conn.execute(tier).fetchone() == ("standard",)

    result = _run(["tenants", "set-tier", "--tenant", "acme", "--tier", "premium"], env)

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "tier of tenant 'acme': premium"
    assert sql_conn.execute(tier).fetchone() == ("premium",)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nobody", "--tier", "premium"], "courier: no tenant 'nobody'"),
        (["--tenant", "acme", "--tier", "gold"], "invalid choice: 'gold'"),
    ],
)
def test_tenants_set_tier__refuses_what_it_cannot_set_without_writing(
    database_url, sql_conn, args, message
):
    env = _env(DATABASE_URL=database_url)
    _run(["keys", "create", "--tenant", "acme", "--user", "alice"], env)

    result = _run(["tenants", "set-tier", *args], env)

    assert result.returncode != 0
    assert message in result.stderr
    assert sql_conn.execute("SELECT slug, tier FROM tenants").fetchall() == [("acme", "standard")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nobody", "--monthly-usd", "5"], "no tenant 'nobody'"),
        (["--tenant", "acme", "--monthly-usd", "-5"], "must be 0 or more"),
        (["--tenant", "acme", "--monthly-usd", "lots"], "not an amount"),
        (["--tenant", "acme", "--monthly-usd", "5", "--when-over", "panic"], "invalid choice"),
    ],
)
def test_budget_set__refuses_what_it_cannot_set_without_writing(
    database_url, sql_conn, args, message
):
    result = _run(["budget", "set", *args], _env(DATABASE_URL=database_url))

    assert result.returncode != 0
    assert message in result.stderr
    assert sql_conn.execute("SELECT count(*) FROM tenant_budgets").fetchone() == (0,)


def test_worker__refuses_a_procrastinate_schema_it_does_not_match_in_one_line(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        # As recorded by a Courier whose procrastinate stopped at 03.02.00.
        conn.execute("DELETE FROM courier_procrastinate_migrations WHERE name > '03.03'")
    result = subprocess.run(
        COURIER + ["worker"],
        env=_env(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=60,  # a worker that starts would run until killed
    )
    assert result.returncode == 1
    assert re.fullmatch(
        r"courier: the database's procrastinate schema is older than procrastinate [\d.]+ "
        r"\(\d+ migration\(s\) missing, from 03\.03\.00_\S+\.sql\): run `courier migrate`\n",
        result.stderr,
    ), result.stderr


def test_prompts__list_pin_split_and_unpin_a_tenants_kind(database_url, sql_conn):
    env = _env(DATABASE_URL=database_url)
    _run(["keys", "create", "--tenant", "acme", "--user", "alice"], env)

    listed = _run(["prompts", "list"], env)
    pinned = _run(
        ["prompts", "pin", "--tenant", "acme", "--kind", "email_reply", "--version", "1"], env
    )
    policy = sql_conn.execute("SELECT version, split_version FROM prompt_policies").fetchall()
    split = _run(
        [
            "prompts",
            "split",
            "--tenant",
            "acme",
            "--kind",
            "email_reply",
            "--versions",
            "v1",
            "v2",
            "--percent",
            "10",
        ],
        env,
    )
    split_policy = sql_conn.execute(
        "SELECT version, split_version, split_percent FROM prompt_policies"
    ).fetchall()
    unpinned = _run(["prompts", "unpin", "--tenant", "acme", "--kind", "email_reply"], env)
    refused = _run(
        ["prompts", "pin", "--tenant", "acme", "--kind", "email_reply", "--version", "7"], env
    )

    assert (
        "email_reply\tcurrent email_reply/v3\t"
        "versions email_reply/v1, email_reply/v2, email_reply/v3" in listed.stdout
    )
    assert pinned.returncode == 0 and policy == [("email_reply/v1", None)], pinned.stderr
    assert split.returncode == 0 and split_policy == [("email_reply/v1", "email_reply/v2", 10)]
    assert unpinned.returncode == 0 and "current version email_reply/v3" in unpinned.stderr
    assert refused.returncode == 1 and "has no prompt version '7'" in refused.stderr
    assert sql_conn.execute("SELECT count(*) FROM prompt_policies").fetchone() == (0,)


def test_ingest__loads_a_jsonl_file_once_and_defers_its_embedding(database_url, sql_conn, tmp_path):
    lines = [
        '{"title": "Refunds", "text": "Refunds take 5 days.", "acl_groups": ["billing"], '
        '"external_id": "kb-1"}',
        "",
        '{"title": "Shipping", "text": "Parcels ship daily.", "acl_groups": ["ops"], '
        '"external_id": "kb-2"}',
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    first = _run(["ingest", str(path), "--tenant", "ingested"], _env(DATABASE_URL=database_url))
    assert first.returncode == 0, first.stderr
    assert "2 new, 0 replaced, 0 unchanged" in first.stderr and "2/2" in first.stderr
    again = _run(["ingest", str(path), "--tenant", "ingested"], _env(DATABASE_URL=database_url))
    assert "0 new, 0 replaced, 2 unchanged" in again.stderr
    counts = sql_conn.execute(
        "SELECT (SELECT count(*) FROM documents d JOIN tenants t ON t.id = d.tenant_id "
        "        WHERE t.slug = 'ingested'),"
        "       (SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'courier.embed_chunks'"
        "        AND args ->> 'document_id' IS NOT NULL)"
    ).fetchone()
    assert counts == (2, 2)


def test_ingest__a_bad_line_is_named_and_nothing_is_written(database_url, sql_conn, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(
        '{"title": "Fine", "text": "x", "acl_groups": ["g"]}\n{"title": "No groups", "text": "y"}\n'
    )
    result = _run(["ingest", str(path), "--tenant", "bad-file"], _env(DATABASE_URL=database_url))
    assert result.returncode == 1
    assert result.stderr.strip() == f"courier: {path}:2: acl_groups: Field required"
    assert sql_conn.execute("SELECT count(*) FROM tenants WHERE slug = 'bad-file'").fetchone() == (
        0,
    )


def test_ingest__a_tenant_slug_the_database_refuses_is_explained_in_one_line(
    database_url, sql_conn, tmp_path
):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"title": "Fine", "text": "x", "acl_groups": ["g"]}\n')
    result = _run(["ingest", str(path), "--tenant", "Bad Slug!"], _env(DATABASE_URL=database_url))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "courier: tenant must be 1-63 characters of a-z, 0-9, '.', '_' or '-', "
        "starting with a letter or digit"
    )
    assert sql_conn.execute("SELECT count(*) FROM documents WHERE title = 'Fine'").fetchone() == (
        0,
    )


def test_ingest__a_nul_character_is_named_with_its_line_before_anything_is_written(
    database_url, sql_conn, tmp_path
):
    path = tmp_path / "docs.jsonl"
    path.write_text(
        '{"title": "Fine", "text": "x", "acl_groups": ["g"]}\n'
        '{"title": "Nul", "text": "a\\u0000b", "acl_groups": ["g"]}\n'
    )
    result = _run(["ingest", str(path), "--tenant", "nul-file"], _env(DATABASE_URL=database_url))
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"courier: {path}:2: text: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert sql_conn.execute("SELECT count(*) FROM tenants WHERE slug = 'nul-file'").fetchone() == (
        0,
    )
