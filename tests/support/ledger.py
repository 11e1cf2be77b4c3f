"""Model calls in tests: a planned call of a job, and reading the ledger's tables in SQL."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Any

import psycopg

from app.llm.ledger import PlannedCall
from app.llm.prices import DEFAULT_PRICES, ModelPrice

TEST_PRICES: dict[str, ModelPrice] = {
    **DEFAULT_PRICES,
    "fake-small": DEFAULT_PRICES["gpt-4.1-mini"],
    "fake-large": DEFAULT_PRICES["gpt-4.1"],
}
"""The list prices, and the fake server's tiers priced as the default ones."""


def planned_call(job: dict[str, Any], **overrides: Any) -> PlannedCall:
    """A call of ``job`` (as ``job_factory`` returns it): step ``generate`` of its current
    attempt on gpt-4.1-mini, 1,000 input and 500 output tokens at most, cache off."""
    fields: dict[str, Any] = {
        "job_id": job["id"],
        "tenant_id": job["tenant_id"],
        "attempt": max(job["attempt"], 1),
        "step": "generate",
        "model": "gpt-4.1-mini",
        "kind": job["kind"],
        "prompt_version": "reply.v1",
        "prompt_hash": hashlib.sha256(b"the redacted prompt").hexdigest(),
        "max_input_tokens": 1000,
        "max_output_tokens": 500,
        "cache_key": None,
    }
    return PlannedCall(**(fields | overrides))


def random_key() -> str:
    return hashlib.sha256(uuid.uuid4().bytes).hexdigest()


def calls(conn: psycopg.Connection, job_id: Any) -> list[dict[str, Any]]:
    """The job's llm_calls rows, oldest first."""
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(
        "SELECT * FROM llm_calls WHERE job_id = %s ORDER BY created_at, id", (job_id,)
    ).fetchall()


def call_outcomes(conn: psycopg.Connection, job_id: Any = None) -> list[tuple[str, str, str]]:
    """(step, model, outcome) of the llm_calls rows of one job, or of every job, oldest first."""
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT step, model, outcome FROM llm_calls "
            "WHERE %(job)s::uuid IS NULL OR job_id = %(job)s::uuid ORDER BY created_at, id",
            {"job": job_id},
        )
    ]


def budget_month(conn: psycopg.Connection, tenant_id: Any) -> tuple[Decimal, Decimal]:
    """(spent, reserved) of the tenant's current UTC month; zeros before any reservation."""
    row = conn.execute(
        "SELECT spent_usd, reserved_usd FROM tenant_budget_months "
        "WHERE tenant_id = %s AND month = date_trunc('month', now() AT TIME ZONE 'UTC')::date",
        (tenant_id,),
    ).fetchone()
    return (row[0], row[1]) if row else (Decimal(0), Decimal(0))
