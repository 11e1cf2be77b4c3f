"""GET /v1/jobs/{id}, /v1/jobs and /v1/jobs/{id}/events: polling, listing, history, isolation."""

from __future__ import annotations

import uuid

import pytest

from tests.support.requests import auth, email_reply_request


async def _submit(http, key: str, n: int = 1, **overrides) -> list[dict]:
    jobs = []
    for _ in range(n):
        response = await http.post(
            "/v1/jobs", json=email_reply_request(**overrides), headers=auth(key, str(uuid.uuid4()))
        )
        assert response.status_code == 202
        jobs.append(response.json())
    return jobs


async def test_poll__queued_job_has_etag_and_retry_after(http, make_key):
    key = await make_key()
    [job] = await _submit(http, key)
    response = await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))
    assert response.status_code == 200
    assert response.json()["state"] == "queued"
    assert response.headers["etag"] == f'"{job["version"]}"'
    assert response.headers["retry-after"] == "1"


async def test_poll__if_none_match_with_current_etag_is_304(http, make_key):
    key = await make_key()
    [job] = await _submit(http, key)
    first = await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))
    again = await http.get(
        f"/v1/jobs/{job['id']}", headers=auth(key) | {"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_poll__etag_changes_when_the_job_changes(http, make_key, sql_conn):
    key = await make_key()
    [job] = await _submit(http, key)
    etag = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).headers["etag"]
    sql_conn.execute("UPDATE jobs SET state = 'cancelled' WHERE id = %s", (job["id"],))
    response = await http.get(f"/v1/jobs/{job['id']}", headers=auth(key) | {"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.headers["etag"] != etag
    assert "retry-after" not in response.headers


async def test_another_tenants_job__is_404_everywhere(http, make_key):
    owner, stranger = await make_key(), await make_key()
    [job] = await _submit(http, owner)
    for path in (f"/v1/jobs/{job['id']}", f"/v1/jobs/{job['id']}/events"):
        response = await http.get(path, headers=auth(stranger))
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    listed = (await http.get("/v1/jobs", headers=auth(stranger))).json()
    assert listed["items"] == []


async def test_same_tenant_other_user__sees_the_job(http, make_key):
    alice, bob = await make_key("acme", "alice"), await make_key("acme", "bob")
    [job] = await _submit(http, alice)
    assert (await http.get(f"/v1/jobs/{job['id']}", headers=auth(bob))).status_code == 200


async def test_unknown_job__is_404_and_malformed_id_is_404(http, make_key):
    key = await make_key()
    assert (await http.get(f"/v1/jobs/{uuid.uuid4()}", headers=auth(key))).status_code == 404
    response = await http.get("/v1/jobs/not-a-uuid", headers=auth(key))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_list__pages_newest_first_without_gaps_or_repeats(http, make_key):
    key = await make_key()
    submitted = [job["id"] for job in await _submit(http, key, 7)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await http.get("/v1/jobs", params=params, headers=auth(key))).json()
        seen += [job["id"] for job in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(submitted, reverse=True)
    assert set(seen) == set(submitted)


async def test_list__filters_by_state_and_kind(http, make_key, sql_conn):
    key = await make_key()
    jobs = await _submit(http, key, 3)
    sql_conn.execute("UPDATE jobs SET state = 'cancelled' WHERE id = %s", (jobs[0]["id"],))
    cancelled = (
        await http.get("/v1/jobs", params={"state": "cancelled"}, headers=auth(key))
    ).json()
    assert [j["id"] for j in cancelled["items"]] == [jobs[0]["id"]]
    assert (
        len(
            (await http.get("/v1/jobs", params={"kind": "email_reply"}, headers=auth(key))).json()[
                "items"
            ]
        )
        == 3
    )
    assert (await http.get("/v1/jobs", params={"kind": "other"}, headers=auth(key))).json()[
        "items"
    ] == []


@pytest.mark.parametrize(
    "params",
    [
        {"state": "done"},
        {"limit": 0},
        {"limit": 1000},
        {"cursor": "nope"},
        {"limit": "x"},
        {"limit": "9223372036854775808"},
        {"limit": "1e23"},
        {"kind": "\x00"},
        {"kind": "email\x00reply"},
        {"state": "queued\x00"},
        {"cursor": "\x00"},
    ],
)
async def test_list__bad_parameters_are_400_problems(http, make_key, params):
    key = await make_key()
    response = await http.get("/v1/jobs", params=params, headers=auth(key))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == list(params)


@pytest.mark.parametrize("query", ["kind=%FF", "kind=caf%E9", "cursor=%C3%28", "%FF=1"])
async def test_list__query_bytes_that_are_not_utf8_are_400_naming_the_parameter(
    http, make_key, query
):
    key = await make_key()
    response = await http.get(f"/v1/jobs?{query}", headers=auth(key))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == query.partition("=")[0].replace("%FF", "\ufffd")
    assert "UTF-8" in error["message"]


async def test_events__json_history_starts_with_queued(http, make_key):
    key = await make_key()
    [job] = await _submit(http, key)
    history = (await http.get(f"/v1/jobs/{job['id']}/events", headers=auth(key))).json()
    assert history["job_id"] == job["id"]
    assert [(e["seq"], e["type"], e["state"]) for e in history["events"]] == [
        (1, "queued", "queued")
    ]
