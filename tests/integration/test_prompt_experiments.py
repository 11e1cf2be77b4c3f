"""Prompt versions per tenant through the API and a real worker on the fake model: a
pin runs its version, a split draws per job id and each job records what it ran, the
tenant lists its versions, the DBA view compares them; one bad job of a kind never
fails another."""

from __future__ import annotations

import uuid

import pytest

from app.prompts.experiments import InvalidSplit, PromptPolicies
from app.prompts.templates import UnknownPromptVersion
from tasks.kinds import KINDS
from tests.fakes.openai_server import schema_answer
from tests.support.jobs import job_row
from tests.support.ledger import calls
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for


async def _submit(http, key, body=None) -> str:
    response = await http.post(
        "/v1/jobs", json=body or email_reply_request(), headers=auth(key, uuid.uuid4().hex)
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def _finished(sql_conn, job_id: str) -> dict:
    async def done():
        row = job_row(sql_conn, job_id)
        return row if row["state"] in ("succeeded", "failed") else None

    return await wait_for(done, what="the job to finish")


async def test_pin__the_tenants_jobs_run_and_record_the_pinned_version(
    http, model_worker, make_key, admin_db, sql_conn, fake_openai
):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = await make_key(tenant=tenant)
    await PromptPolicies(admin_db, KINDS).pin(tenant, "email_reply", "v1")

    job_id = await _submit(http, key)
    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["prompt_version"]) == ("succeeded", "email_reply/v1")
    assert {call["prompt_version"] for call in calls(sql_conn, job_id)} == {"email_reply/v1"}
    system = fake_openai.requests[0].body["messages"][0]["content"]
    assert system.startswith("Draft a reply to the last message")  # v1's wording


async def test_split__each_job_runs_the_version_its_id_draws(
    http, model_worker, make_key, admin_db, sql_conn
):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = await make_key(tenant=tenant)
    policy = await PromptPolicies(admin_db, KINDS).split(tenant, "email_reply", "1", "2", 50)

    ids = [await _submit(http, key) for _ in range(6)]
    rows = [await _finished(sql_conn, job_id) for job_id in ids]

    assert [r["prompt_version"] for r in rows] == [
        policy.version_for(uuid.UUID(job_id)) for job_id in ids
    ]


async def test_list__shows_each_kinds_versions_and_the_tenants_policy(http, make_key, admin_db):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = await make_key(tenant=tenant)
    await PromptPolicies(admin_db, KINDS).split(tenant, "email_reply", "v1", "v2", 20)

    response = await http.get("/v1/prompts", headers=auth(key))

    assert response.status_code == 200
    by_kind = {item["kind"]: item for item in response.json()["data"]}
    assert by_kind["email_reply"]["versions"] == ["email_reply/v1", "email_reply/v2"]
    assert by_kind["email_reply"]["policy"] == {
        "version": "email_reply/v1",
        "split_version": "email_reply/v2",
        "split_percent": 20,
    }
    assert by_kind["support_answer"]["policy"] is None
    assert by_kind["taxonomy_tagging"]["current"] == "taxonomy_tagging/v1"


@pytest.mark.parametrize(
    ("versions", "percent", "error"),
    [
        (("v1", "v1"), 50, InvalidSplit),
        (("v1", "v2"), 100, InvalidSplit),
        (("v1", "v9"), 50, UnknownPromptVersion),
    ],
)
async def test_split__of_one_version_or_an_unknown_one_is_refused(
    admin_db, make_key, versions, percent, error
):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    await make_key(tenant=tenant)

    with pytest.raises(error):
        await PromptPolicies(admin_db, KINDS).split(tenant, "email_reply", *versions, percent)


async def test_one_bad_job__of_a_kind_never_fails_another(
    http, model_worker, make_key, sql_conn, fake_openai
):
    key = await make_key()
    forged = [{"source": "kb-99", "quote": "Refunds are instant."}]
    fake_openai.script(
        schema_answer(answer="Instant.", citations=forged),
        schema_answer(answer="Instant.", citations=forged),
    )
    body = {
        "kind": "support_answer",
        "input": {
            "question": "How long does a refund take?",
            "sources": [{"id": "kb-12", "text": "Refunds take 5 to 7 business days."}],
        },
    }
    bad = await _finished(sql_conn, await _submit(http, key, body))
    cited = [{"source": "kb-12", "quote": "Refunds take 5 to 7 business days."}]
    fake_openai.script(schema_answer(answer="5 to 7 business days.", citations=cited))
    good = await _finished(sql_conn, await _submit(http, key, body))

    assert (bad["state"], bad["error"]["code"]) == ("failed", "invalid_model_output")
    assert bad["prompt_version"] == "support_answer/v1"  # counted for its version
    assert (good["state"], good["result"]["outcome"]) == ("succeeded", "answered")


async def test_view__compares_versions_side_by_side(
    http, model_worker, make_key, admin_db, sql_conn
):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = await make_key(tenant=tenant)
    policies = PromptPolicies(admin_db, KINDS)
    await policies.pin(tenant, "email_reply", "v1")
    await _finished(sql_conn, await _submit(http, key))
    await policies.pin(tenant, "email_reply", "v2")
    await _finished(sql_conn, await _submit(http, key))

    sql_conn.execute("SET ROLE courier_auditor")  # the DBA reads the view, no table
    rows = sql_conn.execute(
        "SELECT prompt_version, jobs, succeeded, refusal_rate, regeneration_rate "
        "FROM prompt_versions WHERE tenant = %s ORDER BY prompt_version",
        [tenant],
    ).fetchall()

    assert [tuple(r) for r in rows] == [
        ("email_reply/v1", 1, 1, 0, 0),
        ("email_reply/v2", 1, 1, 0, 0),
    ]
