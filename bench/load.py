"""HTTP load from ``wrk``, a native load generator, so the figures measure the server.

A Python client (httpx) saturates near 700 requests/s on the 2-core machine the
figures come from: a benchmark driven by it measures the client. ``wrk`` (one
thread, keep-alive connections) drove a bare one-INSERT endpoint to ~4,500
requests/s there; that bare endpoint, measured in the same run, shows the
generator's own ceiling beside every Courier figure.

Install it with ``scripts/install-wrk.sh`` (``apt-get install wrk``). A Lua script
gives every request a unique ``Idempotency-Key`` (or picks a job id to poll) and
prints the counts and latency percentiles as one JSON line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

# One line of JSON from wrk's done() hook; latencies in microseconds. wrk counts a
# status >= 400 in errors.status; connect/read/write/timeout errors beside it.
_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "http_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""

# A POST with a unique Idempotency-Key per request: a run-wide prefix (args[1]), the
# thread's number and a counter.
_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = %(body)s
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end
local counter = 0
local prefix = ""
local headers = {}
function init(args)
  prefix = args[1] .. "-" .. tostring(thread_no) .. "-"
  -- wrk.format replaces wrk.headers (which holds the -H headers) with the table it gets.
  for name, value in pairs(wrk.headers) do headers[name] = value end
end
request = function()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. counter
  return wrk.format(nil, nil, headers)
end
"""

# A GET of a random path from a file (args[1]), one path a line.
_GET_ONE_OF = """
local paths = {}
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time())
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


class GeneratorMissing(SystemExit):
    pass


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


INSTALL_WRK = Path(__file__).resolve().parents[1] / "scripts" / "install-wrk.sh"


def wrk_path() -> str:
    """wrk, installed first if it is missing (as scripts/test installs the browser)."""
    path = shutil.which("wrk")
    if path is None:
        installed = subprocess.run(["sh", str(INSTALL_WRK)], capture_output=True, text=True)
        path = shutil.which("wrk")
        if installed.returncode != 0 or path is None:
            reason = installed.stderr.strip().splitlines()[-1:] or ["it did not install wrk"]
            raise GeneratorMissing(f"wrk is missing and {INSTALL_WRK.name} failed: {reason[0]}")
    return path


def _run(
    script: str,
    url: str,
    args: list[str],
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str],
) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script + _DONE)
    try:
        command = [wrk_path(), "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += ["-s", file.name, url, "--", *args]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        Path(file.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("WRK_RESULT "))
    result = json.loads(line.removeprefix("WRK_RESULT "))
    if result["http_errors"] or result["socket_errors"]:
        raise SystemExit(f"wrk against {url}: {result} (every request must succeed)\n{out}")
    return Load(
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000,
        p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
    )


def post_unique(
    url: str,
    body: dict,
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> Load:
    """POST ``body`` to ``url`` from ``connections`` keep-alive connections for
    ``seconds``, each request with its own Idempotency-Key."""
    script = _POST % {"body": _lua_string(json.dumps(body))}
    return _run(
        script,
        url,
        [uuid.uuid4().hex],
        connections=connections,
        seconds=seconds,
        headers=headers or {},
    )


def get_one_of(
    base: str,
    paths: list[str],
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> Load:
    """GET a random one of ``paths`` (under ``base``) per request."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(paths) + "\n")
    try:
        return _run(
            _GET_ONE_OF,
            base,
            [file.name],
            connections=connections,
            seconds=seconds,
            headers=headers or {},
        )
    finally:
        Path(file.name).unlink()


def _lua_string(text: str) -> str:
    # A Lua long string cannot hold an escape; JSON bodies here never hold "]]".
    if "]]" in text:
        raise ValueError("body holds ']]'")
    return f"[[{text}]]"
