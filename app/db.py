"""The database seam: the only module that knows psycopg.

Three verbs run named queries from ``sql/`` (:mod:`app.queries`):
``execute``, ``fetch_one`` and ``fetch_all``. Each takes an optional
connection so callers can group writes into one transaction
(:meth:`Database.transaction`). psycopg errors become the errors below, chained
with ``from exc``, so services never import psycopg.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg.errors
import psycopg_pool
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from app.errors import CourierError, UnavailableError
from app.queries import Query, load_queries

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


async def _configure_connection(conn: psycopg.AsyncConnection) -> None:
    # Each verb outside an explicit transaction commits on its own.
    await conn.set_autocommit(True)


def create_pool(
    url: str, *, min_size: int, max_size: int, timeout: float
) -> psycopg_pool.AsyncConnectionPool:
    """A pool that replaces dead connections (checked on checkout) and fails
    fast, so a database outage costs about as long as the outage."""
    return psycopg_pool.AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        open=False,
        configure=_configure_connection,
        check=psycopg_pool.AsyncConnectionPool.check_connection,
        max_lifetime=600,
        name="courier",
    )


class Database:
    """Runs named queries on a connection pool."""

    def __init__(
        self, pool: psycopg_pool.AsyncConnectionPool, queries: Mapping[str, Query] | None = None
    ):
        self.pool = pool
        self.queries = queries if queries is not None else load_queries()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection inside a transaction: committed when the block ends, rolled back on error."""
        try:
            async with self.pool.connection() as conn, conn.transaction():
                yield conn
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        except psycopg_pool.PoolTimeout as exc:
            raise DatabaseUnavailable() from exc

    async def execute(self, name: str, /, conn: Connection | None = None, **params: Any) -> int:
        """Run a query for its effect; returns the number of rows it touched."""
        async with self._cursor(conn) as cur:
            await self._run(cur, name, params)
            return cur.rowcount

    async def fetch_one(self, name: str, /, conn: Connection | None = None, **params: Any) -> Row:
        """The first row of a query; :class:`NotFound` when there is none."""
        async with self._cursor(conn) as cur:
            await self._run(cur, name, params)
            row = await cur.fetchone()
        if row is None:
            raise NotFound(f"{name}: no row")
        return row

    async def fetch_all(
        self, name: str, /, conn: Connection | None = None, **params: Any
    ) -> list[Row]:
        """Every row of a query."""
        async with self._cursor(conn) as cur:
            await self._run(cur, name, params)
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

    async def _run(
        self, cur: psycopg.AsyncCursor[Row], name: str, params: Mapping[str, Any]
    ) -> None:
        query = self.queries[name]
        await cur.execute(query.sql, {key: _adapt(value) for key, value in params.items()})


def _adapt(value: Any) -> Any:
    # Python dicts go to jsonb parameters; lists stay PostgreSQL arrays.
    return Jsonb(value) if isinstance(value, dict) else value


def _translate(exc: psycopg.Error) -> DatabaseError:
    constraint = exc.diag.constraint_name if exc.diag else None
    message = exc.diag.message_primary if exc.diag else None
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return Conflict(constraint, message)
    if isinstance(exc, psycopg.IntegrityError):
        return ConstraintViolation(constraint, message)
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
        cls, url: str, channels: Sequence[str], *, application_name: str, timeout: float = 5.0
    ) -> ListenConnection:
        try:
            conn = await psycopg.AsyncConnection.connect(
                url,
                autocommit=True,
                application_name=application_name,
                connect_timeout=max(1, int(timeout)),
            )
            for channel in channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except psycopg.Error as exc:
            raise _translate(exc) from exc
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
                await asyncio.wait_for(self._conn.execute("SELECT 1"), timeout)
            return received
        except psycopg.Error as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except TimeoutError as exc:
            raise DatabaseUnavailable("the LISTEN connection stopped answering") from exc

    async def close(self) -> None:
        await self._conn.close()
