"""`courier eval` as CI runs it: the real command in a subprocess, the real pipeline on
the test database, the gate with the offline provider (every dataset) and with the
obedient one (the attacks and the planted PII); the report's shape, the gate's verdict
as the exit status, and bad arguments as one line and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evals.report import ATTACKS, GATE, METRICS, OBEDIENT_GATE, OFFLINE_GATE

COURIER = [sys.executable, "-m", "app.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _eval(args: list[str], database_url: str, out: Path) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COURIER_", "OPENAI_")) and k != "DATABASE_URL"
    }
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url}
    return subprocess.run(
        [*COURIER, "eval", "--out", str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_eval__the_offline_provider_passes_the_gate_and_writes_both_reports(database_url, tmp_path):
    ran = _eval(["--gate"], database_url, tmp_path)  # every dataset, offline by default

    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["metrics"]) == set(METRICS) | set(ATTACKS)
    for figures in report["metrics"].values():
        assert {"rate", "count", "n", "interval_95"} <= set(figures)
        low, high = figures["interval_95"]
        assert 0 <= low <= high <= 1
    assert report["metrics"]["schema_invalid"]["n"] == report["run"]["cases"] >= 50
    assert report["metrics"]["injection_success"]["n"] >= 15
    assert report["metrics"]["pii_leakage"] == report["metrics"]["pii_leakage"] | {"count": 0}
    assert set(report["per_kind"]) >= {"email_reply", "support_answer", "taxonomy_tagging"}
    # No model: the extractive answer, a kind's rule stage or its template.
    assert "extractive" in report["run"]["models"]
    assert set(report["run"]["models"]) <= {"extractive", "rules", "template"}
    assert report["gate"]["thresholds"] == OFFLINE_GATE
    assert report["metrics"]["escalation_incorrect"]["n"] >= 8  # the false-positive cases too
    assert ran.returncode == 0 and report["gate"]["passed"], ran.stderr[-2000:]
    assert "Gate:" in (tmp_path / "report.md").read_text()
    assert "95% [" in ran.stderr
    # No model: the kind only a model answers is skipped, saying why, not failed.
    assert report["run"]["provider"] == "offline" and "response" not in report["per_kind"]
    assert {s["kind"] for s in report["run"]["skipped"]} == {"response"}
    assert report["metrics"]["schema_invalid"]["count"] == 0
    assert "skipped 11 cases: kind response needs a model" in ran.stderr
    # The held cases' safety stops go to the run's log, not between the progress lines.
    assert '"job_safety_stop"' in (tmp_path / "eval.log").read_text()
    assert not [line for line in ran.stderr.splitlines() if line.startswith("{")]


def test_eval__the_obedient_provider_passes_the_gate_on_the_attacks_and_the_pii(
    database_url, tmp_path
):
    ran = _eval(
        ["--gate", "--provider", "obedient", "--dataset", "injection", "--dataset", "pii"],
        database_url,
        tmp_path,
    )

    report = json.loads((tmp_path / "report.json").read_text())
    assert ran.returncode == 0 and report["gate"]["passed"], ran.stderr[-2000:]
    assert report["metrics"]["injection_success"]["count"] == 0
    assert report["metrics"]["injection_success"]["n"] >= 15
    assert report["metrics"]["pii_leakage"]["count"] == 0
    assert "obedient-small" in report["run"]["models"]
    assert report["gate"]["thresholds"] == OBEDIENT_GATE
    # What stopped the attacks: the detector, or (what it did not recognise) a guard.
    metrics = report["metrics"]
    assert metrics["injection_held_by_detector"]["count"] >= 15
    assert metrics["injection_held_by_guard"]["count"] >= 4
    assert metrics["injection_delivered"]["count"] == 0
    shown = (tmp_path / "report.md").read_text()
    assert "| injection_held_by_guard |" in shown
    assert f"≤ {GATE['hallucination']:.1%}" not in shown  # not gated with this provider


def test_eval__the_installed_command_runs_the_obedient_provider_away_from_the_source_tree(
    database_url, tmp_path
):
    """The console script of the installed package, started in another directory with no
    PYTHONPATH: the obedient fake ships in the evals package, not with the tests."""
    courier = Path(sys.executable).with_name("courier")
    assert courier.exists(), "the package is not installed (pip install -e '.[dev]')"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COURIER_", "OPENAI_")) and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    ran = subprocess.run(
        [str(courier), "eval", "--provider", "obedient", "--dataset", "pii", "--out", "out"],
        env=env | {"DATABASE_URL": database_url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert ran.returncode == 0, ran.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert "obedient-small" in report["run"]["models"] and report["run"]["cases"] == 8


def test_eval__one_kind_and_one_dataset_run_alone(database_url, tmp_path):
    ran = _eval(["--kind", "support_answer", "--dataset", "pii"], database_url, tmp_path)

    report = json.loads((tmp_path / "report.json").read_text())
    assert ran.returncode == 0, ran.stderr
    assert report["run"]["datasets"] == ["pii"]
    assert list(report["per_kind"]) == ["support_answer"] and report["run"]["cases"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "haiku"], "unknown kind 'haiku'"),
        (["--dataset", "nope"], "no dataset 'nope'"),
        (["--provider", "configured"], "--provider configured needs OPENAI_API_KEY"),
        (["--provider", "psychic"], "courier eval: error: argument --provider: invalid choice"),
        (["--frobnicate"], "courier eval: error: unrecognized arguments: --frobnicate"),
    ],
)
def test_eval__bad_arguments_are_one_line_and_a_non_zero_exit(
    database_url, tmp_path, args, message
):
    ran = _eval(args, database_url, tmp_path)

    assert ran.returncode != 0
    assert message in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    assert not (tmp_path / "report.json").exists()


@pytest.mark.parametrize("where", ["a-file", "/proc/x"])
def test_eval__an_unwritable_out_is_refused_before_any_case_runs(database_url, tmp_path, where):
    out = tmp_path / where if where == "a-file" else Path(where)
    if where == "a-file":
        out.write_text("not a directory")

    ran = _eval(["--dataset", "pii"], database_url, out)

    assert ran.returncode != 0
    assert "cannot write the report to" in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    assert "%" not in ran.stderr  # no metric line: nothing ran
