"""Webhooks from the outbox: Standard Webhooks signatures checked by the
third-party ``standardwebhooks`` package, retries with a stable webhook-id,
410 disabling, SSRF refusal, every attempt recorded."""

from __future__ import annotations

import pytest

from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for

# Test receivers are plain-http servers on 127.0.0.1 (the loopback_webhooks fixture).
pytestmark = pytest.mark.usefixtures("loopback_webhooks")


async def _endpoint(http, key: str, url: str, **extra) -> dict:
    response = await http.post("/v1/webhooks", json={"url": url, **extra}, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


async def _deliveries(http, key: str, endpoint_id: str) -> list[dict]:
    return (await http.get(f"/v1/webhooks/{endpoint_id}/deliveries", headers=auth(key))).json()[
        "items"
    ]


async def test_webhook__receiver_verifies_every_event_with_the_standardwebhooks_package(
    http, worker, make_key, receiver
):
    key = await make_key(roles=["admin"])
    endpoint = await _endpoint(http, key, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    receiver.secret = endpoint["secret"]
    job = (await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "w"))).json()

    await wait_for(lambda: _async(len(receiver.deliveries) >= 3), what="three webhooks")

    assert all(d.verified for d in receiver.deliveries)
    assert [(d.body["type"], d.body["data"]["seq"]) for d in receiver.deliveries] == [
        ("job.queued", 1),
        ("job.running", 2),
        ("job.succeeded", 3),
    ]  # in order
    thin = receiver.deliveries[-1].body["data"]
    assert thin["job_id"] == job["id"] and thin["links"]["self"] == f"/v1/jobs/{job['id']}"
    assert "result" not in thin  # thin unless the endpoint opts in
    assert len({d.headers["webhook-id"] for d in receiver.deliveries}) == 3


async def test_webhook__failing_three_times_then_succeeding_keeps_one_webhook_id_and_is_delivered_once(  # noqa: E501 (a test's name is its behaviour sentence)
    http, worker, make_key, receiver, sql_conn
):
    key = await make_key(roles=["admin"])
    endpoint = await _endpoint(
        http, key, receiver.url, event_types=["job.succeeded"], include_result=True
    )
    receiver.secret = endpoint["secret"]
    receiver.answers = [(500, {}), (503, {"Retry-After": "0"}), (429, {})]
    job = (await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "f"))).json()

    async def delivered():
        items = await _deliveries(http, key, endpoint["id"])
        return items if items and items[0]["status"] == "delivered" else None

    [delivery] = await wait_for(delivered, what="the delivery to succeed")

    assert [d.status for d in receiver.deliveries] == [500, 503, 429, 204]
    assert {d.headers["webhook-id"] for d in receiver.deliveries} == {delivery["event_id"]}
    assert all(d.verified for d in receiver.deliveries)
    assert receiver.deliveries[-1].body["data"]["result"]["outcome"] == "drafted"  # include_result
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in delivery["attempt_log"]] == [
        (1, 500, "retry"),
        (2, 503, "retry"),
        (3, 429, "retry"),
        (4, 204, "delivered"),
    ]
    rows = sql_conn.execute(
        "SELECT status::text, attempts, delivered_at IS NOT NULL FROM outbox WHERE job_id = %s",
        (job["id"],),
    ).fetchall()
    assert rows == [("delivered", 4, True)]  # one row, delivered once
    attempts = sql_conn.execute(
        "SELECT count(*) FROM webhook_deliveries WHERE job_id = %s AND outcome = 'delivered'",
        (job["id"],),
    ).fetchone()
    assert attempts == (1,)


async def test_webhook__410_gone_disables_the_endpoint(http, worker, make_key, receiver, sql_conn):
    key = await make_key(roles=["admin"])
    endpoint = await _endpoint(http, key, receiver.url)
    receiver.secret = endpoint["secret"]
    receiver.answers = [(410, {})]
    await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "g"))

    async def disabled():
        current = (await http.get(f"/v1/webhooks/{endpoint['id']}", headers=auth(key))).json()
        return current if current["disabled_at"] else None

    current = await wait_for(disabled, what="the endpoint to be disabled")

    assert "410" in current["disabled_reason"]
    await wait_for(
        lambda: _async(
            sql_conn.execute(
                "SELECT count(*) FROM outbox WHERE endpoint_id = %s AND status = 'pending'",
                (endpoint["id"],),
            ).fetchone()[0]
            == 0
        ),
        what="pending deliveries to be cancelled",
    )
    assert len(receiver.deliveries) == 1  # nothing more was sent
    statuses = {
        row[0]
        for row in sql_conn.execute(
            "SELECT status::text FROM outbox WHERE endpoint_id = %s", (endpoint["id"],)
        ).fetchall()
    }
    assert statuses <= {"failed", "cancelled"}
    refused = await http.post(f"/v1/webhooks/{endpoint['id']}/test", headers=auth(key))
    assert refused.status_code == 409 and "disabled" in refused.json()["detail"]


async def test_webhook__ssrf_destinations_are_refused_at_registration_and_at_delivery(
    http, make_key, settings, receiver, sql_conn, db
):
    key = await make_key(roles=["admin"])
    for url in [
        "http://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/hook",
        "http://127.0.0.2/hook",
        "https://localhost.:8443/x",
        "ftp://example.com/",
    ]:
        response = await http.post("/v1/webhooks", json={"url": url}, headers=auth(key))
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    refused_callback = await http.post(
        "/v1/jobs",
        json=email_reply_request(callback_url="http://10.1.2.3/cb"),
        headers=auth(key, "c"),
    )
    assert (
        refused_callback.status_code == 422
        and refused_callback.json()["errors"][0]["field"] == "callback_url"
    )

    # An endpoint that was fine when registered but no longer is (DNS changed, allow-list
    # narrowed) is checked again before each delivery: nothing is sent.
    endpoint = await _endpoint(http, key, receiver.url)
    from tasks.relay import OutboxRelay

    settings.delivery.ssrf_allow_list = []
    relay = OutboxRelay(db, settings.database.url, settings.delivery)
    await relay.start()
    try:
        await http.post(f"/v1/webhooks/{endpoint['id']}/test", headers=auth(key))

        async def refused():
            items = await _deliveries(http, key, endpoint["id"])
            return items and items[0]["attempt_log"] and items[0]

        delivery = await wait_for(refused, what="a refused attempt")
    finally:
        await relay.stop()
    assert (
        delivery["attempt_log"][0]["outcome"] == "refused"
        and "loopback" in delivery["attempt_log"][0]["error"]
    )
    assert receiver.deliveries == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "night\u0000shift"}, "description"),
        ({"url": "{receiver}/hook\u0000"}, "url"),
        ({"event_types": ["job.queued\u0000"]}, "event_types.0"),
    ],
)
async def test_webhook__text_with_nul_is_422_naming_the_field_and_registers_nothing(
    http, make_key, receiver, sql_conn, body, field
):
    key = await make_key(roles=["admin"])
    body = {"url": receiver.url} | {
        name: value.replace("{receiver}", receiver.url) if isinstance(value, str) else value
        for name, value in body.items()
    }
    response = await http.post("/v1/webhooks", json=body, headers=auth(key))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert sql_conn.execute("SELECT count(*) FROM webhook_endpoints").fetchone() == (0,)


async def test_webhook__callback_url_test_send_and_rotation_are_signed_verifiably(
    http, worker, make_key, receiver
):
    key = await make_key(roles=["admin"])
    secret = (await http.get("/v1/webhooks/callback-secret", headers=auth(key))).json()["secret"]
    receiver.secret = secret
    job = (
        await http.post(
            "/v1/jobs", json=email_reply_request(callback_url=receiver.url), headers=auth(key, "cb")
        )
    ).json()
    await wait_for(lambda: _async(len(receiver.deliveries) >= 3), what="callbacks")
    assert all(d.verified for d in receiver.deliveries)

    async def recorded():
        # The receiver answers before the relay records the answer: wait for the record.
        items = (await http.get(f"/v1/jobs/{job['id']}/deliveries", headers=auth(key))).json()[
            "items"
        ]
        return items if all(d["status"] != "pending" for d in items) else None

    deliveries = await wait_for(recorded, what="deliveries recorded")
    assert [(d["seq"], d["status"], d["endpoint_id"]) for d in deliveries] == [
        (1, "delivered", None),
        (2, "delivered", None),
        (3, "delivered", None),
    ]

    # After a rotation both the old and the new secret verify, during the overlap.
    endpoint = await _endpoint(http, key, receiver.url, event_types=["job.failed"])
    rotated = (
        await http.post(f"/v1/webhooks/{endpoint['id']}/rotate-secret", headers=auth(key))
    ).json()
    assert rotated["secret"] != endpoint["secret"] and rotated["previous_secret_expires_at"]
    for current in (endpoint["secret"], rotated["secret"]):
        receiver.secret = current
        before = len(receiver.deliveries)
        sent = await http.post(f"/v1/webhooks/{endpoint['id']}/test", headers=auth(key))
        assert sent.status_code == 202
        await wait_for(
            lambda before=before: _async(len(receiver.deliveries) > before),
            what="the test webhook",
        )
        assert (
            receiver.deliveries[-1].verified
            and receiver.deliveries[-1].body["type"] == "webhook.test"
        )

    listed = (await http.get("/v1/webhooks", headers=auth(key))).json()["items"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]
    assert (
        await http.delete(f"/v1/webhooks/{endpoint['id']}", headers=auth(key))
    ).status_code == 204
    assert (await http.get(f"/v1/webhooks/{endpoint['id']}", headers=auth(key))).status_code == 404
    not_admin = await make_key()
    assert (await http.get("/v1/webhooks", headers=auth(not_admin))).status_code == 403


async def _async(value):
    return value
