"""Running the API server and the worker inside one asyncio program."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import uvicorn

from app.embedded import embedded_database
from app.errors import CourierError
from app.http import create_app
from app.jobs.kinds import KindRegistry
from app.settings import Settings

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop (installed with uvicorn[standard]; about twice the HTTP
    throughput of the default loop here), falling back to asyncio's own loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


class ServerStartFailed(CourierError):
    """The API server could not start."""


class ApiServer(uvicorn.Server):
    """uvicorn without its own signal handling: the program that runs it decides when to stop."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().serve(sockets)
        except SystemExit as exc:
            # uvicorn exits the process when it cannot bind or the application's start-up
            # fails; inside a task that would escape the event loop as a traceback. Say
            # it in one line instead.
            lifespan = getattr(self, "lifespan", None)  # set once the config has loaded
            if lifespan is not None and lifespan.should_exit:
                raise ServerStartFailed(
                    "the API's start-up failed (the error is logged above)"
                ) from exc
            raise ServerStartFailed(
                f"could not listen on {self.config.host}:{self.config.port} (is the port in use?)"
            ) from exc

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn waits for open responses before shutting the application down, and
        # an event stream never ends by itself: end the streams first, so a rolling
        # deploy takes no graceful-timeout stall (browsers reconnect to a live process).
        services = getattr(getattr(self.config.app, "state", None), "services", None)
        if services is not None:
            services.streams.close()
        await super().shutdown(sockets)

    @property
    def port(self) -> int:
        return self.servers[0].sockets[0].getsockname()[1]


def api_server(settings: Settings, kinds: KindRegistry) -> ApiServer:
    config = uvicorn.Config(
        create_app(settings, kinds),
        host=settings.api.host,
        port=settings.api.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        # uvicorn's own logs go through Courier's JSON handler (app/logs.py).
        log_config=None,
    )
    return ApiServer(config)


async def wait_started(server: ApiServer, task: asyncio.Task) -> None:
    """Return once the server accepts connections; raise if it failed to start."""
    while not server.started:
        if task.done():
            task.result()  # ServerStartFailed when it could not bind
            raise ServerStartFailed("the API server stopped during start-up")
        await asyncio.sleep(0.05)


def stop_event_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def stop_all(
    server: ApiServer | None, server_task: asyncio.Task | None, *others: asyncio.Task
) -> None:
    """Stop the API server gracefully (in-flight requests finish) and cancel the other tasks."""
    if server is not None:
        server.should_exit = True
    for other in others:
        other.cancel()
    for task in [server_task, *others]:
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextmanager
def database_url(settings: Settings) -> Iterator[tuple[str, bool]]:
    """The database to use: ``DATABASE_URL`` if set, else the embedded server
    (started here and stopped on exit). Yields (url, embedded)."""
    if settings.database.url:
        yield settings.database.url, False
        return
    with embedded_database(settings.data_dir) as url:
        yield url, True
