"""Item resources over HTTP: stored on import, in the API, on the track page, in the export,
and filled in for items that existed before they did."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from alembic import command

from questpath.app import create_app
from questpath.config import Settings
from questpath.db import alembic_config, migrate
from tests.conftest import TEST_SECRET
from tests.helpers import Account, field_errors, register_account
from tests.tracks.test_routes import all_items, import_track, item_named, read_track
from tests.web.browsing import signed_up

DOCUMENT = """# Algorithms

## Trees
- [ ] [Tries (video)](https://www.youtube.com/watch?v=zIjfhVPRZCg)
- [ ] **Heap**: a tree where each parent orders before its children
    - [Heap on Wikipedia](https://en.wikipedia.org/wiki/Heap_(data_structure))
    - [A sneaky one](javascript:alert(1))
- [ ] Balanced trees
"""


async def test_an_imported_link_item_has_a_plain_title_and_its_url_as_a_resource(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track = await read_track(client, learner, (await import_track(client, learner, DOCUMENT))["id"])
    tries = item_named(track, "Tries (video)")
    assert tries["resources"] == [
        {"title": "Tries (video)", "url": "https://www.youtube.com/watch?v=zIjfhVPRZCg"}
    ]
    heap = item_named(track, "Heap")
    assert heap["description"] == "a tree where each parent orders before its children"
    assert [r["title"] for r in heap["resources"]] == ["Heap on Wikipedia", "A sneaky one"]
    assert item_named(track, "Balanced trees")["resources"] == []


async def test_the_markdown_export_writes_resources_back_as_links(
    client: httpx.AsyncClient, learner: Account
) -> None:
    summary = await import_track(client, learner, DOCUMENT)
    exported = await client.get(
        f"/api/tracks/{summary['id']}/export",
        params={"format": "markdown"},
        headers=learner.headers,
    )
    assert exported.status_code == 200
    again = await import_track(client, learner, exported.text)
    first = await read_track(client, learner, summary["id"])
    second = await read_track(client, learner, again["id"])
    assert [(i["title"], i["resources"]) for i in _items(first)] == [
        (i["title"], i["resources"]) for i in _items(second)
    ]


async def test_the_track_page_links_web_resources_only(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    summary = await import_track(client, account, DOCUMENT)
    page = await client.get(f"/tracks/{summary['id']}")
    assert page.status_code == 200
    assert (
        '<a href="https://www.youtube.com/watch?v=zIjfhVPRZCg" rel="noopener noreferrer"'
        in page.text
    )
    assert 'href="javascript:' not in page.text
    assert "A sneaky one" in page.text


async def test_items_stored_before_resources_existed_read_back_with_none(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(migrate, url)
    settings = Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET)

    async def with_client(settings: Settings) -> tuple[Account, str]:
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            account = await register_account(client, "old@example.com")
            summary = await import_track(client, account, "# Old\n\n- [ ] Stacks\n- [x] Queues\n")
        await app.state.engine.dispose()
        return account, summary["id"]

    account, track_id = await with_client(settings)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0007")
    await asyncio.to_thread(migrate, url)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        track = await read_track(client, account, track_id)
    await app.state.engine.dispose()
    assert [(i["title"], i["state"], i["resources"]) for i in _items(track)] == [
        ("Stacks", "todo", []),
        ("Queues", "done", []),
    ]


def _items(track: dict[str, Any]) -> list[dict[str, Any]]:
    return all_items(track)


async def test_resources_can_be_given_and_replaced_through_the_api(
    client: httpx.AsyncClient, learner: Account
) -> None:
    summary = await import_track(client, learner, DOCUMENT)
    url = f"/api/tracks/{summary['id']}/items"
    links = [{"title": "Hash tables (video)", "url": "https://example.com/hash"}]
    created = await client.post(
        url, json={"title": "Hash tables", "resources": links}, headers=learner.headers
    )
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    track = await read_track(client, learner, summary["id"])
    assert item_named(track, "Hash tables")["resources"] == links
    changed = await client.patch(
        f"{url}/{item_id}", json={"resources": []}, headers=learner.headers
    )
    assert changed.status_code == 200, changed.text
    track = await read_track(client, learner, summary["id"])
    assert item_named(track, "Hash tables")["resources"] == []


async def test_a_resource_that_markdown_cannot_write_is_refused_naming_the_field(
    client: httpx.AsyncClient, learner: Account
) -> None:
    summary = await import_track(client, learner, DOCUMENT)
    url = f"/api/tracks/{summary['id']}/items"
    for bad in ({"title": "a ] b", "url": "https://e.com"}, {"title": "a", "url": "has space"}):
        response = await client.post(
            url, json={"title": "X", "resources": [bad]}, headers=learner.headers
        )
        errors = field_errors(response)
        assert response.status_code == 422
        assert any(name.startswith("resources") for name in errors), errors
