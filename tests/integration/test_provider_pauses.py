"""Provider pauses kept in a worker process's memory while it listens for their
announcements: as current as reading the row before every call (another process's
429, a DBA's delete, a lost listener), without that read."""

from __future__ import annotations

import uuid

from app.llm.pauses import ProviderPauses
from tests.support.waiting import wait_for

LISTENER = "courier-pauses-test"  # the watcher fixture's listener


def _true(condition):
    async def check():
        return condition()

    return check


def _provider() -> str:
    return f"openai:http://fake-{uuid.uuid4().hex[:8]}/v1"


async def test_watching__calls_read_no_row_and_another_process_pause_reaches_them(
    watcher, counting_db, db
):
    provider = _provider()
    counting_db.runs.clear()
    assert [await watcher.remaining(provider) for _ in range(5)] == [0.0] * 5
    assert counting_db.runs["provider_pause_remaining"] == 0

    await ProviderPauses(db).pause(provider, 30)  # another process's 429

    async def seen():
        return await watcher.remaining(provider) > 20

    await wait_for(seen, what="the pause to reach the watching process")
    await wait_for(_true(lambda: provider not in watcher._announced), what="its row re-read")
    reads = counting_db.runs["provider_pause_remaining"]
    assert all([await watcher.remaining(provider) > 20 for _ in range(5)])
    assert counting_db.runs["provider_pause_remaining"] == reads  # from memory again


async def test_watching__a_pause_a_dba_deletes_ends_for_the_watching_process(watcher, db, sql_conn):
    provider = _provider()
    await ProviderPauses(db).pause(provider, 60)
    await wait_for(_remaining_above(watcher, provider, 50), what="the pause seen")

    sql_conn.execute("DELETE FROM provider_pauses WHERE provider = %s", (provider,))

    async def ended():
        return await watcher.remaining(provider) == 0.0

    await wait_for(ended, what="the deleted pause to end")


async def test_watching__its_own_pause_holds_at_once(watcher):
    provider = _provider()

    await watcher.pause(provider, 30)

    assert await watcher.remaining(provider) > 20


async def test_watching__a_pause_written_before_it_listened_holds(db, counting_db, database_url):
    provider = _provider()
    await ProviderPauses(db).pause(provider, 30)  # announced while nobody listened
    late = ProviderPauses(counting_db)

    await late.watch(database_url, name="courier-pauses-late")
    try:
        await wait_for(_true(lambda: late.watching), what="the pauses to be loaded")
        counting_db.runs.clear()
        assert await late.remaining(provider) > 20
        assert counting_db.runs["provider_pause_remaining"] == 0  # from the loaded view
    finally:
        await late.stop()


async def test_watching__a_lost_listener_reconnects_reloads_and_hears_pauses_again(
    watcher, db, sql_conn
):
    (lost,) = sql_conn.execute(
        "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE application_name = %s",
        (LISTENER,),
    ).fetchall()

    async def back():
        pids = sql_conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (LISTENER,)
        ).fetchall()
        return watcher.watching and pids and pids != [(lost[1],)]

    await wait_for(back, what="the listener back and the pauses reloaded")
    provider = _provider()
    await ProviderPauses(db).pause(provider, 30)

    await wait_for(_remaining_above(watcher, provider, 20), what="the pause heard")


def _remaining_above(pauses: ProviderPauses, provider: str, seconds: float):
    async def check():
        return await pauses.remaining(provider) > seconds

    return check
