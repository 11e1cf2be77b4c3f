-- Budget reservations: a model call's worst-case cost, reserved before the call and
-- settled with the real cost after it (migrations/0011_llm_ledger.sql; the settlement is
-- part of llm_call_settle, sql/llm_calls.sql).

-- name: budget_reservation_take :one
-- Reserve a call's worst case against its tenant's month in one statement (its own
-- transaction): allowed with a reservation id, or refused with the month's figures.
SELECT reservation_id, allowed, when_over, budget_usd, spent_usd, reserved_usd, month,
       retry_after_seconds
FROM courier_budget_reserve_v1(
    %(tenant_id)s::uuid, %(job_id)s::uuid, %(attempt)s::integer, %(step)s::text, %(model)s::text,
    %(amount_usd)s::numeric, coalesce(%(now)s::timestamptz, clock_timestamp()),
    %(stale_after)s::interval
);
