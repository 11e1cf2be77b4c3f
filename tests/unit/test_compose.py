"""compose.yaml: the production-like stack has what operators rely on (no Docker engine here:
the structure is checked, not run)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from app.settings import WorkerSettings

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_compose__postgres_is_pgvector_with_a_health_check_and_a_volume():
    postgres = _services()["postgres"]
    assert postgres["image"].startswith("pgvector/pgvector:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["volumes"]


def test_compose__migrate_runs_once_after_postgres_is_healthy():
    migrate = _services()["migrate"]
    assert migrate["command"] == ["courier", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose__api_and_workers_start_after_migrate_with_health_checks():
    services = _services()
    for name in ("api", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["healthcheck"]["test"]
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert (
        services["worker"]["environment"]["COURIER_WORKER_METRICS_PORT"]
        in services["worker"]["healthcheck"]["test"][-1]
    )
    assert "ports" not in services["worker"]  # replicas would fight over a host port


def test_compose__workers_get_longer_to_stop_than_their_jobs_get_to_finish():
    """Docker kills a worker stop_grace_period after SIGTERM; the worker needs its
    shutdown grace plus time to give unfinished jobs back before that."""
    worker = _services()["worker"]
    grace = float(
        worker["environment"].get(
            "COURIER_WORKER_SHUTDOWN_GRACE_SECONDS", WorkerSettings().shutdown_grace_seconds
        )
    )
    assert _seconds(worker["stop_grace_period"]) >= grace + 10


def _seconds(duration: str) -> float:
    """A compose duration such as ``45s``, ``1m30s`` or ``2m``."""
    parts = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, f"unsupported duration {duration!r}"
    return int(parts[1] or 0) * 60 + int(parts[2] or 0)


def test_compose__api_metrics_are_on_a_port_of_their_own_that_is_not_published():
    api = _services()["api"]
    metrics_port = api["environment"]["COURIER_API_METRICS_PORT"]
    published = [mapping.split(":")[-1] for mapping in api["ports"]]
    assert metrics_port not in published and "8000" in published
