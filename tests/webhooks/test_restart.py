"""The outbox outlives the process: a server killed mid-delivery loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.helpers import register_account
from tests.servers import Server
from tests.webhooks.receiver import receiver

EVENTS = 30


async def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    for _ in range(int(seconds * 10)):
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


async def test_every_signal_is_delivered_after_a_sigkill_during_delivery(
    migrated_url: str, serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUESTPATH_WEBHOOKS_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("QUESTPATH_WEBHOOKS_TIMEOUT_SECONDS", "1")  # leases of 4 s
    monkeypatch.setenv("QUESTPATH_WEBHOOKS_POLL_SECONDS", "0.2")
    with receiver() as endpoint:
        endpoint.delay = 0.4  # slow, so deliveries are in flight when the server dies
        server = serve(migrated_url)
        async with server.client() as client:
            learner = await register_account(client, "killed@example.com")
            hook = await client.post(
                "/api/webhooks",
                json={"url": endpoint.url, "event_types": ["event.recorded"]},
                headers=learner.headers,
            )
            assert hook.status_code == 201, hook.text
            for start in range(0, EVENTS, 5):
                batch = [
                    {"id": f"e-{n}", "kind": "exercise_completed", "topic": "sql"}
                    for n in range(start, start + 5)
                ]
                posted = await client.post(
                    "/api/events", json={"events": batch}, headers=learner.headers
                )
                assert posted.status_code == 201, posted.text

        assert await wait_for(lambda: bool(endpoint.received), 20), server.logs()
        server.kill()
        delivered_before = len(endpoint.unique())
        assert delivered_before < EVENTS, "everything was delivered before the kill"

        restarted = serve(migrated_url)

        def all_delivered() -> bool:
            return len(endpoint.unique()) >= EVENTS

        assert await wait_for(all_delivered, 60), restarted.logs()
        ids = {r.json()["data"]["event"]["id"] for r in endpoint.unique().values()}
        assert ids == {f"e-{n}" for n in range(EVENTS)}
