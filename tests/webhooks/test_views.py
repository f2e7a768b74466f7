"""The webhooks settings page, used as a browser without JavaScript uses it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from questpath.config import Settings
from questpath.dependencies import writing
from questpath.webhooks.worker import DeliveryWorker
from tests.conftest import TEST_SECRET
from tests.helpers import record_events
from tests.web.browsing import signed_up, submit, texts
from tests.webhooks.receiver import Receiver

PAGE = "/settings/webhooks"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        webhooks_allow_private=True,
    )


async def test_a_webhook_made_on_the_page_shows_its_secret_once_and_lists_deliveries(
    app: FastAPI, client: httpx.AsyncClient, endpoint: Receiver
) -> None:
    ada = await signed_up(client)
    made = await submit(
        client,
        PAGE,
        {"url": endpoint.url, "event_types": ["event.recorded", "level.changed"]},
        form_page=PAGE,
    )
    assert made.status_code == 200, made.text
    assert 'id="new-hook-secret"' in made.text
    assert "whsec_" in made.text
    again = await client.get(PAGE)
    assert "whsec_" not in again.text
    assert endpoint.url in again.text

    await record_events(client, ada.headers, [{"id": "e-1", "kind": "exercise_completed"}])
    await DeliveryWorker(partial(writing, app), app.state.settings).run_once()
    listed = await client.get(PAGE)
    assert "HTTP 204" in listed.text
    assert "delivered" in listed.text

    [hook] = (await client.get("/api/webhooks", headers=ada.headers)).json()
    [delivery] = (
        await client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=ada.headers)
    ).json()
    redelivered = await submit(
        client,
        f"{PAGE}/{hook['id']}/deliveries/{delivery['id']}/redeliver",
        form_page=PAGE,
    )
    assert redelivered.status_code == 303
    await DeliveryWorker(partial(writing, app), app.state.settings).run_once()
    assert len(endpoint.received) == 2

    deleted = await submit(client, f"{PAGE}/{hook['id']}/delete", form_page=PAGE)
    assert deleted.status_code == 303
    assert (await client.get("/api/webhooks", headers=ada.headers)).json() == []


async def test_the_page_names_what_is_wrong_with_a_new_webhook(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await signed_up(client)
    no_types = await submit(client, PAGE, {"url": "https://example.org/in"}, form_page=PAGE)
    assert no_types.status_code == 422
    assert "Tick at least one" in texts(no_types.text, "error")
    app.state.settings = app.state.settings.model_copy(update={"webhooks_allow_private": False})
    private = await submit(
        client,
        PAGE,
        {"url": "http://10.0.0.1/in", "event_types": ["event.recorded"]},
        form_page=PAGE,
    )
    assert private.status_code == 422
    assert any("10.0.0.1 is a private address" in t for t in texts(private.text, "error"))
