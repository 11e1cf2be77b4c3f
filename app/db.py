"""The database seam: the only module that knows psycopg.

Three verbs run named queries from ``sql/`` (:mod:`app.queries`):
``execute``, ``fetch_one`` and ``fetch_all``. Each takes an optional
connection so callers can group writes into one transaction
(:meth:`Database.transaction`). psycopg errors become the errors below, chained
with ``from exc``, so services never import psycopg.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import select
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import psycopg
import psycopg.errors
import psycopg_pool
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from app.errors import BadRequestError, CourierError, UnavailableError
from app.queries import Query, Shape, load_queries

Row = dict[str, Any]
Connection = psycopg.AsyncConnection


class DatabaseError(CourierError):
    """The database refused the operation."""


class NotFound(DatabaseError):
    """No row matched."""


class ConstraintViolation(DatabaseError):
    """A database constraint refused the change."""

    def __init__(self, constraint: str | None, message: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


class Conflict(ConstraintViolation):
    """A unique constraint refused a duplicate."""


class LockTimeout(DatabaseError):
    """A row stayed locked by another transaction for longer than allowed."""


class DatabaseUnavailable(DatabaseError, UnavailableError):
    """The database cannot be reached right now."""

    retry_after = 2


class UnstorableText(DatabaseError, BadRequestError):
    """Text in the request cannot be stored: it holds NUL or bytes that are not UTF-8."""

    # A safety net: requests are checked for such text where they are decoded
    # (app/client_input.py), so meeting this error means a value took another way in.
    # The database's own words may quote the value, so the message is always this one.


RUNTIME_ROLE = "courier_runtime"
"""The role API, workers and relays run as (migrations/0007_runtime_role.sql): it owns
nothing, is no superuser and has no BYPASSRLS, so row level security applies to it."""


class RuntimeRoleUnavailable(DatabaseError):
    """The configured database user may not act as the runtime role."""


class QueryShapeMismatch(DatabaseError):
    """A query was run with a verb that does not fit its declared shape."""


class ActingPrincipal(Protocol):
    """Whom a transaction acts for: what row level security policies read."""

    @property
    def id(self) -> UUID: ...
    @property
    def tenant_id(self) -> UUID: ...
    @property
    def acl_groups(self) -> Sequence[str]: ...


async def _configure_connection(conn: psycopg.AsyncConnection, *, role: str | None) -> None:
    # Each verb outside an explicit transaction commits on its own.
    await conn.set_autocommit(True)
    if role is not None:
        await _become(conn, role)


async def _become(conn: psycopg.AsyncConnection, role: str) -> None:
    """Run the rest of this session as ``role`` unless it already is: the configured
    URL may be an administrator's (the embedded default, compose), and row level
    security would not apply to it."""
    try:
        cur = await conn.execute("SELECT current_user = %s AS already", (role,))
        row = await cur.fetchone()
        if not (row and row[0]):
            await conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise RuntimeRoleUnavailable(
            f"the database user may not SET ROLE {role}: run `courier migrate` as the schema "
            f"owner, or GRANT {role} TO <this user> WITH SET TRUE"
        ) from exc
    except psycopg.errors.InvalidParameterValue as exc:
        raise RuntimeRoleUnavailable(
            f"the role {role} does not exist: run `courier migrate` first"
        ) from exc


async def assume_role(conn: psycopg.AsyncConnection, role: str = RUNTIME_ROLE) -> None:
    """Act as ``role`` for the rest of this session; :class:`RuntimeRoleUnavailable`
    (one clear line) when the connection's user may not."""
    await _become(conn, role)


def connection_configurer(
    role: str | None = RUNTIME_ROLE,
) -> Callable[[psycopg.AsyncConnection], Awaitable[None]]:
    """What every new connection runs first: autocommit, then ``SET ROLE role``. For
    pools, and for the connections libraries open beside them (procrastinate's LISTEN)."""
    return functools.partial(_configure_connection, role=role)


def create_pool(
    url: str,
    *,
    min_size: int,
    max_size: int,
    timeout: float,
    role: str | None = RUNTIME_ROLE,
    synchronous_commit: bool = True,
    name: str = "courier",
) -> psycopg_pool.AsyncConnectionPool:
    """A pool that replaces dead connections (checked on checkout, :class:`RecentUse`) and fails
    fast, so a database outage costs about as long as the outage.

    Every connection it opens runs as ``role`` (the runtime role unless told
    otherwise; ``None`` keeps the URL's own user, for administrative commands such
    as creating API keys), also the ones that replace connections lost to a restart.
    With ``synchronous_commit`` False its commits do not wait for the WAL flush (a
    crash of the database may lose the last fraction of a second of them): only for
    writes that something durable written later, or a rescuer, makes good.
    """
    recent = RecentUse()
    return psycopg_pool.AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        open=False,
        configure=connection_configurer(role),
        check=recent.check,
        reset=recent.returned,
        max_lifetime=600,
        name=name,
        kwargs=None if synchronous_commit else {"options": "-c synchronous_commit=off"},
    )


class RecentUse:
    """The pool's check on checkout, without a round trip for a connection that was
    returned healthy moments ago.

    Pinging every connection on checkout cost one round trip per checkout, a
    database statement's worth of CPU on both sides (9 % of a worker's samples,
    bench/RESULTS.md). A connection that answered within ``fresh_seconds`` is handed
    out as it is; one idle for longer is pinged, so after an outage the pool still
    replaces dead connections, and a connection that died in that short window fails
    its one request with :class:`DatabaseUnavailable` (503, Retry-After) and is then
    discarded (psycopg marks it broken). A server that ended the session has said so
    on the socket by then, in most cases: a connection with unread input is pinged."""

    def __init__(self, fresh_seconds: float = 1.0) -> None:
        self.fresh_seconds = fresh_seconds
        self._returned: weakref.WeakKeyDictionary[psycopg.AsyncConnection, float] = (
            weakref.WeakKeyDictionary()
        )

    async def returned(self, conn: psycopg.AsyncConnection) -> None:
        if not conn.broken:
            self._returned[conn] = time.monotonic()

    async def check(self, conn: psycopg.AsyncConnection) -> None:
        at = self._returned.get(conn)
        if (
            at is not None
            and time.monotonic() - at < self.fresh_seconds
            and not conn.broken
            and not _has_input(conn)
        ):
            return
        await psycopg_pool.AsyncConnectionPool.check_connection(conn)


def _has_input(conn: psycopg.AsyncConnection) -> bool:
    """Whether an idle connection has something to read: a server that ended the
    session (a restart, ``pg_terminate_backend``) says so and closes the socket, so
    such a connection is pinged (and discarded) rather than handed out. One
    non-blocking ``select``, no round trip."""
    try:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):
        return True
    return bool(readable)


class Database:
    """Runs named queries on a connection pool."""

    def __init__(
        self, pool: psycopg_pool.AsyncConnectionPool, queries: Mapping[str, Query] | None = None
    ):
        self.pool = pool
        self.queries = queries if queries is not None else load_queries()

    @asynccontextmanager
    async def transaction(
        self, on_behalf_of: ActingPrincipal | None = None
    ) -> AsyncIterator[Connection]:
        """A connection inside a transaction: committed when the block ends, rolled back on error.

        With ``on_behalf_of``, the transaction-local settings ``courier.tenant_id``,
        ``courier.user_id`` and ``courier.groups`` (a text array literal) name that
        principal for row level security policies; they end with the transaction, so
        a pooled connection never carries one request's identity into the next.
        """
        try:
            async with self.pool.connection() as conn, conn.transaction():
                if on_behalf_of is not None:
                    await self.execute(
                        "session_act_for",
                        conn,
                        tenant_id=on_behalf_of.tenant_id,
                        user_id=on_behalf_of.id,
                        groups=list(on_behalf_of.acl_groups),
                    )
                yield conn
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        except psycopg_pool.PoolTimeout as exc:
            raise DatabaseUnavailable() from exc

    async def log_session_role(self, logger: logging.Logger, component: str) -> None:
        """Log whom this pool's sessions act as (``"event": "database_role"``), so an
        operator sees at start-up that row level security applies to them."""
        role = await self.fetch_one("session_role")
        logger.info(
            "database role", extra={"event": "database_role", "component": component, **role}
        )

    async def execute(self, name: str, /, conn: Connection | None = None, **params: Any) -> int:
        """Run a query for its effect; returns the number of rows it touched."""
        query = self._query(name, "exec")
        async with self._cursor(conn) as cur:
            await _run(cur, query, params)
            return cur.rowcount

    async def fetch_one(self, name: str, /, conn: Connection | None = None, **params: Any) -> Row:
        """The row of a ``:one`` query; :class:`NotFound` when there is none."""
        row = await self._fetch_first(name, "one", conn, params)
        if row is None:
            raise NotFound(f"{name}: no row")
        return row

    async def fetch_optional(
        self, name: str, /, conn: Connection | None = None, **params: Any
    ) -> Row | None:
        """The row of an ``:optional`` query, or ``None``: for queries where no row is
        an answer (a guarded update whose guard did not hold), not an error."""
        return await self._fetch_first(name, "optional", conn, params)

    async def _fetch_first(
        self, name: str, shape: Shape, conn: Connection | None, params: Mapping[str, Any]
    ) -> Row | None:
        query = self._query(name, shape)
        async with self._cursor(conn) as cur:
            await _run(cur, query, params)
            return await cur.fetchone()

    async def fetch_all(
        self, name: str, /, conn: Connection | None = None, **params: Any
    ) -> list[Row]:
        """Every row of a query."""
        query = self._query(name, "many")
        async with self._cursor(conn) as cur:
            await _run(cur, query, params)
            return await cur.fetchall()

    @asynccontextmanager
    async def _cursor(self, conn: Connection | None) -> AsyncIterator[psycopg.AsyncCursor[Row]]:
        try:
            if conn is not None:
                async with conn.cursor(row_factory=dict_row) as cur:
                    yield cur
            else:
                async with (
                    self.pool.connection() as pooled,
                    pooled.cursor(row_factory=dict_row) as cur,
                ):
                    yield cur
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        except psycopg_pool.PoolTimeout as exc:
            raise DatabaseUnavailable() from exc

    def _query(self, name: str, shape: Shape) -> Query:
        query = self.queries[name]
        if query.shape != shape:
            # A programming error, caught at the call rather than by whoever reads the rows.
            raise QueryShapeMismatch(
                f"{query.origin}: {name} is a :{query.shape} query, run as :{shape}"
            )
        return query


async def _run(cur: psycopg.AsyncCursor[Row], query: Query, params: Mapping[str, Any]) -> None:
    try:
        await cur.execute(query.sql, {key: _adapt(value) for key, value in params.items()})
    except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 spelling exists
        raise UnstorableText() from exc


def _adapt(value: Any) -> Any:
    # Python dicts go to jsonb parameters; lists stay PostgreSQL arrays.
    if isinstance(value, dict):
        return Jsonb(value)
    # psycopg refuses NUL in text parameters with an error of no SQLSTATE: say what it is.
    if _holds_nul(value):
        raise UnstorableText()
    return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list | tuple) and any(_holds_nul(item) for item in value)


def _translate(exc: psycopg.Error) -> DatabaseError:
    constraint = exc.diag.constraint_name if exc.diag else None
    message = exc.diag.message_primary if exc.diag else None
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return Conflict(constraint, message)
    if isinstance(exc, psycopg.IntegrityError):
        return ConstraintViolation(constraint, message)
    if isinstance(
        exc, psycopg.errors.CharacterNotInRepertoire | psycopg.errors.UntranslatableCharacter
    ):
        # 22021 (e.g. invalid byte sequence for encoding "UTF8") and 22P05 (e.g. \u0000
        # in jsonb): what the client sent, not a fault of Courier's.
        return UnstorableText()
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return LockTimeout(message)
    if isinstance(exc, psycopg.OperationalError):
        return DatabaseUnavailable(message or str(exc))
    return DatabaseError(message or str(exc))


@dataclass(frozen=True)
class Notification:
    channel: str
    payload: str


class ListenConnection:
    """A dedicated connection that ``LISTEN``s on some channels.

    Not taken from the pool: it is held for as long as the process listens. A
    connection that died (server restart, ``pg_terminate_backend``, network) raises
    :class:`DatabaseUnavailable` from :meth:`receive`; open a new one, then re-read
    whatever the notifications stand for, since those sent meanwhile are lost.
    """

    def __init__(self, conn: psycopg.AsyncConnection) -> None:
        self._conn = conn

    @classmethod
    async def open(
        cls,
        url: str,
        channels: Sequence[str],
        *,
        application_name: str,
        timeout: float = 5.0,
        role: str | None = RUNTIME_ROLE,
    ) -> ListenConnection:
        try:
            conn = await psycopg.AsyncConnection.connect(
                url,
                autocommit=True,
                application_name=application_name,
                connect_timeout=max(1, int(timeout)),
            )
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        try:
            if role is not None:
                await _become(conn, role)
            for channel in channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except BaseException as exc:
            # Also when cancelled here (a process stopping as it starts): the connection
            # is not anyone's yet, so it is closed here or never.
            await conn.close()
            if isinstance(exc, psycopg.Error):
                raise _translate(exc) from exc
            raise
        return cls(conn)

    @property
    def backend_pid(self) -> int:
        return self._conn.info.backend_pid

    async def receive(self, timeout: float) -> list[Notification]:
        """The notifications that arrive within ``timeout`` seconds (returns at the
        first batch). When none came, the connection is pinged, so a silently dead
        connection is noticed within one timeout."""
        try:
            received = [
                Notification(n.channel, n.payload)
                async for n in self._conn.notifies(timeout=timeout, stop_after=1)
            ]
            if not received:
                async with asyncio.timeout(timeout):
                    await self._conn.execute("SELECT 1")
            return received
        except psycopg.Error as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except TimeoutError as exc:
            raise DatabaseUnavailable("the LISTEN connection stopped answering") from exc

    async def close(self) -> None:
        await self._conn.close()
