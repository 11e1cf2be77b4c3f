"""Where a process spends its time under load: py-spy samples it, this sums the stacks.

    python -m bench.profile intake [--seconds 15]      # the API process under wrk load
    python -m bench.profile lifecycle [--jobs 3000]    # a Courier worker draining no-op jobs
    python -m bench.profile inflight [--jobs 3000]     # a worker's model calls (bench.inflight)

py-spy (``pip install py-spy``) records the process from outside at 100 Hz,
idle frames excluded; the summary prints, per function and per package, the share
of samples it is on the stack of (inclusive) and at the top of (self). A
throw-away embedded PostgreSQL is started unless ``--database-url`` is given.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.intake import BODY, database
from bench.load import post_unique
from bench.run import (
    CLIENTS,
    _courier_lifecycle,
    _drain,
    _listening_pid,
    _sql,
    courier_api,
    create_database,
    prepare_courier,
    process,
)

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:]*)(?::\d+)?\)$")


def _record(pid: int, seconds: float, out: Path) -> subprocess.Popen:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100"]
        + ["--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _package(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if "/lib/python3" in file:
        return "stdlib:" + file.rsplit("/", 1)[-1].removesuffix(".py")
    parts = file.split("/")
    for root in ("app", "tasks", "bench"):
        if root in parts:
            return "/".join(parts[parts.index(root) :])
    return file


def summarise(collapsed: Path, top: int = 30) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = [f for f in stack.split(";") if f][1:]  # the first is the thread
        names = []
        for frame in frames:
            match = _FRAME.match(frame)
            func, file = (match["func"], match["file"]) if match else (frame, "")
            names.append((f"{func} ({_package(file)})", _package(file)))
        for name in {n for n, _ in names}:
            inclusive[name] += count
        for package in {p for _, p in names}:
            packages[package] += count
        if names:
            own[names[-1][0]] += count
    lines = [f"{total} samples (100 Hz, idle excluded)", "", "inclusive | self | function"]
    for name, count in inclusive.most_common(top):
        lines.append(f"{100 * count / total:5.1f} % | {100 * own[name] / total:5.1f} % | {name}")
    lines += ["", "inclusive | package or module"]
    for package, count in packages.most_common(top):
        lines.append(f"{100 * count / total:5.1f} % | {package}")
    return "\n".join(lines)


def profile_intake(url: str, seconds: float) -> str:
    key = prepare_courier(url)
    with courier_api(url) as base, tempfile.TemporaryDirectory() as tmp:
        pid = _listening_pid(base)
        post_unique(
            f"{base}/v1/jobs",
            BODY,
            connections=CLIENTS,
            seconds=2,
            headers={"Authorization": f"Bearer {key}"},
        )  # warm-up
        out = Path(tmp) / "intake.txt"
        spy = _record(pid, seconds, out)
        load = post_unique(
            f"{base}/v1/jobs",
            BODY,
            connections=CLIENTS,
            seconds=seconds,
            headers={"Authorization": f"Bearer {key}"},
        )
        spy.wait()
        head = f"intake: {load.throughput:,.0f} req/s, p95 {load.p95_ms:.1f} ms while sampled"
        return head + "\n" + summarise(out)


def profile_lifecycle(url: str, jobs: int) -> str:
    prepare_courier(url)
    with (
        process(["bench.workers", "courier", "--database-url", url], url) as worker,
        tempfile.TemporaryDirectory() as tmp,
    ):
        _courier_lifecycle(url, 50)  # warm-up
        out = Path(tmp) / "lifecycle.txt"
        result: list[float] = []
        runner = threading.Thread(target=lambda: result.append(_courier_lifecycle(url, jobs)))
        runner.start()
        spy = _record(worker.pid, 600, out)
        runner.join()
        spy.send_signal(signal.SIGINT)  # py-spy writes what it has on Ctrl-C
        spy.wait()
        _drain(url, "jobs")
        return f"lifecycle: {result[0]:,.0f} jobs/s while sampled\n" + summarise(out)


def profile_inflight(url: str, jobs: int, concurrency: int = 1000, raw: Path | None = None) -> str:
    """The worker of ``python -m bench.inflight`` (email_reply jobs, the fake answering
    after 2 s), sampled from its first lease to its last completion."""
    import asyncio
    import uuid

    from bench.inflight import _submit, fake_provider, tenant_keys, worker_process

    keys = tenant_keys(url, 1)
    batch = f"profile-{uuid.uuid4().hex[:8]}"
    asyncio.run(_submit(url, keys, jobs, batch))
    like = (f"{batch}-%",)
    with (
        fake_provider(2.0) as fake,
        worker_process(url, fake, concurrency) as worker,
        tempfile.TemporaryDirectory() as tmp,
    ):
        while not _sql(url, "SELECT 1 FROM jobs WHERE started_at IS NOT NULL LIMIT 1"):
            time.sleep(0.1)
        out = Path(tmp) / "inflight.txt"
        spy = _record(worker.pid, 600, out)
        while _sql(
            url,
            "SELECT count(*) FROM jobs WHERE idempotency_key LIKE %s AND finished_at IS NULL",
            like,
        )[0][0]:
            time.sleep(0.1)
        spy.send_signal(signal.SIGINT)
        _, spy_err = spy.communicate()
        if not out.exists():
            raise SystemExit(f"py-spy wrote nothing: {spy_err}")
        summary = summarise(out, top=45)
        if raw is not None:  # the collapsed stacks, for a closer look
            shutil.copyfile(out, raw)
        in_flight = fake.stats()["max_in_flight"]
    (span,) = _sql(
        url,
        "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 "
        "FROM jobs WHERE idempotency_key LIKE %s",
        like,
    )[0]
    head = (
        f"inflight: {jobs / span:,.0f} jobs/s, {in_flight} calls in flight at most, "
        f"load average {os.getloadavg()[0]:.1f}, while sampled"
    )
    return head + "\n" + summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["intake", "lifecycle", "inflight"])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--raw", type=Path, help="inflight: also keep py-spy's stacks here")
    args = parser.parse_args()
    with database(args.database_url) as admin_url:
        url = create_database(admin_url, f"bench_profile_{args.what}")
        started = time.perf_counter()
        if args.what == "intake":
            print(profile_intake(url, args.seconds))
        elif args.what == "inflight":
            print(profile_inflight(url, args.jobs, raw=args.raw))
        else:
            print(profile_lifecycle(url, args.jobs))
        print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
