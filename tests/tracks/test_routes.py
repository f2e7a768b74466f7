"""The tracks API over HTTP on both databases: import, the tree and its progress, working items
through the event log (XP once), sharing, the learning path, templates and who may see what."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from questpath.tracks.rules import horizon_for_heading, path_key
from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    field_errors,
    projection_differences,
    read_json,
    register_account,
    table_values,
)

SEED = (Path(__file__).parent / "data" / "learning_track.md").read_text(encoding="utf-8")
SMALL = """# Git basics

Learn the everyday commands.

## Commits
- [ ] Stage changes
- [ ] Write a commit message

## Branches
- [ ] Create a branch
"""
MARKDOWN = {"Content-Type": "text/markdown"}


async def import_track(
    client: httpx.AsyncClient, account: Account, text: str = SMALL, **params: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/tracks/import",
        content=text.encode(),
        headers=account.headers | MARKDOWN,
        params=params,
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/api/tracks/{response.json()['id']}"
    body: dict[str, Any] = response.json()
    return body


async def read_track(client: httpx.AsyncClient, account: Account, track_id: str) -> dict[str, Any]:
    return await read_json(client, f"/api/tracks/{track_id}", account.headers)


def all_items(node: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a track or category, sub-items and sub-categories included, in order."""
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found.append(item)
            walk(item["children"])

    walk(node["items"])
    for category in node["categories"]:
        found.extend(all_items(category))
    return found


def item_named(track: dict[str, Any], title: str) -> dict[str, Any]:
    return next(item for item in all_items(track) if item["title"] == title)


def category_named(node: dict[str, Any], title: str) -> dict[str, Any]:
    for category in node["categories"]:
        if category["title"] == title:
            return category
        try:
            return category_named(category, title)
        except LookupError:
            continue
    raise LookupError(title)


async def set_state(
    client: httpx.AsyncClient, account: Account, track_id: str, item_id: str, state: str
) -> dict[str, Any]:
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item_id}", json={"state": state}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def xp_of(client: httpx.AsyncClient, account: Account) -> int:
    return int((await read_json(client, "/api/progress", account.headers))["xp"])


# Import ---------------------------------------------------------------------------------------


async def test_the_seed_track_imports_every_checkbox(
    client: httpx.AsyncClient, learner: Account
) -> None:
    summary = await import_track(client, learner, SEED)
    checkboxes = re.findall(r"^\s*(?:[-*+]|\d+[.)]) \[([ xX])\] ", SEED, flags=re.MULTILINE)
    assert summary["title"] == "Learning Track"
    assert summary["progress"]["done"] == checkboxes.count("x") + checkboxes.count("X")

    track = await read_track(client, learner, summary["id"])
    path = category_named(track, "Learning Path")  # numbered entries without checkboxes
    assert len(all_items(track)) - len(all_items(path)) == len(checkboxes)
    assert summary["progress"]["total"] == len(all_items(track))
    git = category_named(track, "3. Git Workflow")
    assert [c["title"] for c in git["categories"]] == [
        "Areas for Improvement",
        "Unknown Unknowns",
        "Recommendations to Study",
        "Learning Resources Needed",
    ]
    assert git["progress"]["total"] == 4 + 6 + 4 + 7
    critical = category_named(track, "Critical Unknown Unknowns (High Priority)")
    assert {item["priority"] for item in critical["items"]} == {"critical"}
    assert item_named(track, "Runbooks")["description"] == (
        "Operational runbooks for production issues"
    )
    runbooks = item_named(track, "Runbooks")
    assert (runbooks["effective_topic"], runbooks["section"]) == (
        "Documentation & Planning",
        "Unknown Unknowns",
    )


async def test_a_multipart_upload_imports_with_the_title_given(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/tracks/import",
        files={"file": ("git.md", SMALL.encode(), "text/markdown")},
        data={"title": "My Git plan"},
        headers=learner.headers,
    )
    assert response.status_code == 201, response.text
    track = await read_track(client, learner, response.json()["id"])
    assert track["title"] == "My Git plan"
    # With a title given, the # heading is an ordinary category holding the others.
    assert [c["title"] for c in track["categories"]] == ["Git basics"]
    assert len(all_items(track)) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# Notes\n\nJust prose, no checklist.\n- a bullet\n", "task-list"),
        (b"# Bad\n\n- [ ] caf\xe9 au lait\n", "UTF-8"),
        (b"# Bin\n\n- [ ] item\x00\x01\x02\n", "NUL"),
    ],
    ids=["no-task-items", "invalid-utf8", "nul-bytes"],
)
async def test_a_document_that_is_not_a_checklist_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, learner: Account, content: bytes, message: str
) -> None:
    response = await client.post(
        "/api/tracks/import", content=content, headers=learner.headers | MARKDOWN
    )
    errors = field_errors(response)
    assert message in errors["document"]
    assert (await read_json(client, "/api/tracks", learner.headers))["items"] == []


async def test_a_document_over_one_mebibyte_is_413(
    client: httpx.AsyncClient, learner: Account
) -> None:
    line = b"- [ ] an item to study\n"
    content = b"# Big\n\n" + line * (1024 * 1024 // len(line) + 1)
    response = await client.post(
        "/api/tracks/import", content=content, headers=learner.headers | MARKDOWN
    )
    assert "1048576 bytes" in assert_problem(response, 413)["detail"]
    assert (await read_json(client, "/api/tracks", learner.headers))["items"] == []


async def test_a_document_of_almost_one_mebibyte_of_items_imports_them_all(
    client: httpx.AsyncClient, learner: Account
) -> None:
    lines = [f"- [ ] item {n}\n" for n in range(60_000)]
    text = "# Many\n\n" + "".join(lines)
    assert len(text.encode()) <= 1024 * 1024
    summary = await import_track(client, learner, text)
    assert summary["progress"]["total"] == len(lines)


async def test_another_content_type_is_415(client: httpx.AsyncClient, learner: Account) -> None:
    response = await client.post("/api/tracks/import", json={"x": 1}, headers=learner.headers)
    assert "text/markdown" in assert_problem(response, 415)["detail"]


# The tree and its progress --------------------------------------------------------------------


async def test_progress_counts_done_over_total_minus_skipped_per_category_and_track(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    track = await read_track(client, learner, track_id)
    await set_state(client, learner, track_id, item_named(track, "Stage changes")["id"], "done")
    await set_state(
        client, learner, track_id, item_named(track, "Write a commit message")["id"], "skipped"
    )
    track = await read_track(client, learner, track_id)
    commits = category_named(track, "Commits")
    assert commits["progress"] | {} == {
        "total": 2,
        "done": 1,
        "skipped": 1,
        "in_progress": 0,
        "percent": 100,
        "finished": True,
    }
    assert track["progress"]["percent"] == 50  # 1 done of 3 - 1 skipped
    listed = (await read_json(client, "/api/tracks", learner.headers))["items"]
    assert [(t["id"], t["progress"]["percent"]) for t in listed] == [(track_id, 50)]


# Working items through the event log ----------------------------------------------------------


async def test_completing_an_item_records_an_event_earns_xp_and_unlocks_the_first_item_badge(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    track_id = (await import_track(client, learner))["id"]
    item = item_named(await read_track(client, learner, track_id), "Stage changes")
    changed = await set_state(client, learner, track_id, item["id"], "done")
    assert changed["events_recorded"] == ["item_completed"]
    assert changed["xp_awarded"] == 10
    assert changed["item"]["state"] == "done"
    assert changed["item"]["completed_at"] is not None
    assert "first-item" in {a["id"] for a in changed["achievements_unlocked"]}
    progress = await read_json(client, "/api/progress", learner.headers)
    assert progress["xp"] == 10
    assert progress["current_streak"] == 1
    events = await all_events(client, learner.headers)
    assert [(e["kind"], e["topic"]) for e in events] == [("item_completed", "Commits")]
    assert events[0]["metadata"]["item_id"] == item["id"]
    assert await projection_differences(app, learner) == []


async def test_xp_for_an_item_is_awarded_once_however_often_it_is_toggled(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    track_id = (await import_track(client, learner))["id"]
    item = item_named(await read_track(client, learner, track_id), "Stage changes")
    await set_state(client, learner, track_id, item["id"], "done")
    for _ in range(3):
        reopened = await set_state(client, learner, track_id, item["id"], "todo")
        assert reopened["events_recorded"] == ["item_reopened"]
        assert reopened["item"]["completed_at"] is None
        again = await set_state(client, learner, track_id, item["id"], "done")
        assert again["events_recorded"] == []
        assert again["xp_awarded"] == 0
    assert await xp_of(client, learner) == 10
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds.count("item_completed") == 1
    assert kinds.count("item_reopened") == 3
    achievements = await read_json(client, "/api/progress/achievements", learner.headers)
    unlocked = {a["id"] for a in achievements["achievements"] if a["unlocked"]}
    assert "first-item" in unlocked  # reopening removed nothing
    assert await projection_differences(app, learner) == []


async def test_finishing_a_category_and_the_track_records_each_once_with_their_achievements(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    track_id = (await import_track(client, learner))["id"]
    track = await read_track(client, learner, track_id)
    await set_state(client, learner, track_id, item_named(track, "Stage changes")["id"], "done")
    finished = await set_state(
        client, learner, track_id, item_named(track, "Write a commit message")["id"], "done"
    )
    assert finished["events_recorded"] == ["item_completed", "category_finished"]
    assert "first-category" in {a["id"] for a in finished["achievements_unlocked"]}
    branch = item_named(track, "Create a branch")["id"]
    last = await set_state(client, learner, track_id, branch, "done")
    assert last["events_recorded"] == ["item_completed", "category_finished", "track_finished"]
    assert last["track_progress"]["finished"] is True
    assert "first-track" in {a["id"] for a in last["achievements_unlocked"]}
    # Reopening and finishing again counts nothing twice.
    await set_state(client, learner, track_id, branch, "in_progress")
    again = await set_state(client, learner, track_id, branch, "done")
    assert again["events_recorded"] == []
    assert await xp_of(client, learner) == 3 * 10 + 2 * 25 + 100
    assert await projection_differences(app, learner) == []


async def test_items_imported_as_done_earn_nothing_until_done_again_after_a_reopen(
    client: httpx.AsyncClient, learner: Account
) -> None:
    text = "# T\n\n## C\n- [x] Already known\n- [ ] To learn\n"
    track_id = (await import_track(client, learner, text))["id"]
    known = item_named(await read_track(client, learner, track_id), "Already known")
    assert known["state"] == "done"
    assert await all_events(client, learner.headers) == []
    await set_state(client, learner, track_id, known["id"], "todo")
    redone = await set_state(client, learner, track_id, known["id"], "done")
    assert redone["events_recorded"] == ["item_completed"]


async def test_an_item_takes_its_own_topic_over_the_category_s(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    item = item_named(await read_track(client, learner, track_id), "Create a branch")
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item['id']}",
        json={"topic": "git", "priority": "high", "horizon": "immediate", "notes": "mine"},
        headers=learner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["events_recorded"] == []
    await set_state(client, learner, track_id, item["id"], "done")
    events = await all_events(client, learner.headers)
    assert {e["topic"] for e in events if e["kind"] == "item_completed"} == {"git"}
    changed = item_named(await read_track(client, learner, track_id), "Create a branch")
    assert (changed["priority"], changed["horizon"], changed["notes"]) == (
        "high",
        "immediate",
        "mine",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"state": "finished"}, "state"),
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"priority": "urgent"}, "priority"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_an_invalid_item_change_names_the_field_and_changes_nothing(
    client: httpx.AsyncClient, learner: Account, body: dict[str, Any], field: str
) -> None:
    track_id = (await import_track(client, learner))["id"]
    before = await read_track(client, learner, track_id)
    item = item_named(before, "Stage changes")
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item['id']}", json=body, headers=learner.headers
    )
    assert field in field_errors(response)
    assert await read_track(client, learner, track_id) == before


async def test_items_can_be_added_under_a_category_or_an_item_and_deleted_with_their_children(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    track = await read_track(client, learner, track_id)
    commits = category_named(track, "Commits")
    added = await client.post(
        f"/api/tracks/{track_id}/items",
        json={"title": "Amend a commit", "category_id": commits["id"], "due_date": "2030-01-31"},
        headers=learner.headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["effective_topic"] == "Commits"
    child = await client.post(
        f"/api/tracks/{track_id}/items",
        json={"title": "Use --amend", "parent_id": added.json()["id"]},
        headers=learner.headers,
    )
    assert child.status_code == 201, child.text
    commits = category_named(await read_track(client, learner, track_id), "Commits")
    assert [i["title"] for i in commits["items"]] == [
        "Stage changes",
        "Write a commit message",
        "Amend a commit",
    ]
    assert [c["title"] for c in commits["items"][2]["children"]] == ["Use --amend"]

    deleted = await client.delete(
        f"/api/tracks/{track_id}/items/{added.json()['id']}", headers=learner.headers
    )
    assert deleted.status_code == 204
    track = await read_track(client, learner, track_id)
    assert {i["title"] for i in all_items(track)} == {
        "Stage changes",
        "Write a commit message",
        "Create a branch",
    }


async def test_adding_an_item_to_a_category_of_another_track_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = (await import_track(client, learner))["id"]
    second = await read_track(client, learner, (await import_track(client, learner))["id"])
    response = await client.post(
        f"/api/tracks/{first}/items",
        json={"title": "x", "category_id": second["categories"][0]["id"]},
        headers=learner.headers,
    )
    assert "category_id" in field_errors(response)


async def test_a_track_can_be_renamed_and_deleted_keeping_the_xp_earned_on_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    item = item_named(await read_track(client, learner, track_id), "Stage changes")
    await set_state(client, learner, track_id, item["id"], "done")
    renamed = await client.patch(
        f"/api/tracks/{track_id}", json={"title": "Git, properly"}, headers=learner.headers
    )
    assert renamed.json()["title"] == "Git, properly"
    assert (
        await client.delete(f"/api/tracks/{track_id}", headers=learner.headers)
    ).status_code == 204
    assert (await client.get(f"/api/tracks/{track_id}", headers=learner.headers)).status_code == 404
    assert await xp_of(client, learner) == 10


# Export ---------------------------------------------------------------------------------------


def without_ids(node: Any) -> Any:
    """A tree read with the parts that differ between two copies of one track removed."""
    drop = {
        "id",
        "path_section_id",
        "completed_at",
        "created_at",
        "updated_at",
        "share",
        "template_id",
    }
    if isinstance(node, dict):
        return {k: without_ids(v) for k, v in node.items() if k not in drop}
    if isinstance(node, list):
        return [without_ids(v) for v in node]
    return node


async def test_markdown_export_re_imports_to_the_same_tree(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, SEED))["id"]
    track = await read_track(client, learner, track_id)
    await set_state(client, learner, track_id, item_named(track, "Runbooks")["id"], "in_progress")
    await set_state(client, learner, track_id, item_named(track, "Git LFS basics")["id"], "done")
    await client.patch(
        f"/api/tracks/{track_id}/items/{item_named(track, 'Runbooks')['id']}",
        json={"notes": "Start with the *deploy* runbook.\nThen incidents."},
        headers=learner.headers,
    )
    exported = await client.get(f"/api/tracks/{track_id}/export", headers=learner.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/markdown")
    assert exported.headers["content-disposition"] == 'attachment; filename="learning-track.md"'
    copy_id = (await import_track(client, learner, exported.text))["id"]
    original = without_ids(await read_track(client, learner, track_id))
    copy = without_ids(await read_track(client, learner, copy_id))
    assert copy == original


async def test_json_export_carries_every_field(client: httpx.AsyncClient, learner: Account) -> None:
    track_id = (await import_track(client, learner))["id"]
    exported = await client.get(
        f"/api/tracks/{track_id}/export", params={"format": "json"}, headers=learner.headers
    )
    assert exported.headers["content-disposition"] == 'attachment; filename="git-basics.json"'
    document = exported.json()
    assert (document["format"], document["version"]) == ("questpath-track", 1)
    assert document["track"] == await read_track(client, learner, track_id)


# Privacy and sharing --------------------------------------------------------------------------


async def test_another_learner_gets_404_for_a_track_that_is_not_theirs_whether_it_exists_or_not(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    item_id = item_named(await read_track(client, learner, track_id), "Stage changes")["id"]
    for target in (track_id, str(uuid.uuid4())):
        requests = [
            client.get(f"/api/tracks/{target}", headers=other_learner.headers),
            client.patch(
                f"/api/tracks/{target}", json={"title": "x"}, headers=other_learner.headers
            ),
            client.delete(f"/api/tracks/{target}", headers=other_learner.headers),
            client.get(f"/api/tracks/{target}/export", headers=other_learner.headers),
            client.post(f"/api/tracks/{target}/share", headers=other_learner.headers),
            client.post(f"/api/tracks/{target}/share/replace", headers=other_learner.headers),
            client.patch(
                f"/api/tracks/{target}/items/{item_id}",
                json={"state": "done"},
                headers=other_learner.headers,
            ),
            client.post(
                f"/api/tracks/{target}/items", json={"title": "x"}, headers=other_learner.headers
            ),
        ]
        for request in requests:
            response = await request
            assert_problem(response, 404)
    assert (await read_json(client, "/api/tracks", other_learner.headers))["items"] == []
    assert (
        item_named(await read_track(client, learner, track_id), "Stage changes")["state"] == "todo"
    )


async def test_a_share_link_shows_the_track_read_only_until_it_is_revoked(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    item = item_named(await read_track(client, learner, track_id), "Stage changes")
    await client.patch(
        f"/api/tracks/{track_id}/items/{item['id']}",
        json={"notes": "private thoughts", "state": "done"},
        headers=learner.headers,
    )
    created = await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)
    assert created.status_code == 201
    share = created.json()
    assert len(share["token"]) >= 40
    assert share["url"] == f"/api/shared/{share['token']}"
    # Shown once: afterwards the track says it is shared, not what the link is.
    again = await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)
    assert again.status_code == 200
    hidden = {**share, "token": None, "url": None}
    assert again.json() == hidden
    assert (await read_track(client, learner, track_id))["share"] == hidden

    shared = await client.get(share["url"])  # no credentials
    assert shared.status_code == 200
    body = shared.json()
    assert body["title"] == "Git basics"
    assert item_named(body, "Stage changes")["state"] == "done"
    assert item_named(body, "Stage changes")["notes"] == ""
    assert "private thoughts" not in shared.text
    assert learner.email not in shared.text

    revoked = await client.delete(f"/api/tracks/{track_id}/share", headers=learner.headers)
    assert revoked.status_code == 204
    assert_problem(await client.get(share["url"]), 404)
    assert (await read_track(client, learner, track_id))["share"] is None
    renewed = await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)
    assert renewed.status_code == 201
    assert renewed.json()["token"] != share["token"]
    assert (await client.get(renewed.json()["url"])).status_code == 200


async def test_replacing_a_share_link_stops_the_old_one_and_shows_the_new_one_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    replace = f"/api/tracks/{track_id}/share/replace"
    assert_problem(await client.post(replace, headers=learner.headers), 404)
    old = (await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)).json()

    replaced = await client.post(replace, headers=learner.headers)

    assert replaced.status_code == 201
    new = replaced.json()
    assert new["token"] != old["token"]
    assert new["url"] == f"/api/shared/{new['token']}"
    assert_problem(await client.get(old["url"]), 404)
    assert (await client.get(new["url"])).status_code == 200
    assert (await client.get(f"/shared/{new['token']}")).status_code == 200
    assert (await read_track(client, learner, track_id))["share"]["token"] is None


async def test_the_database_keeps_only_the_hash_of_a_track_link(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    share = (await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)).json()

    stored = await table_values(app, "track_shares")

    assert not [value for value in stored if share["token"] in value]
    assert hashlib.sha256(share["token"].encode()).hexdigest() in stored
    assert (await client.get(share["url"])).status_code == 200


async def test_the_schema_says_a_track_link_is_shown_only_when_made(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    share = spec["components"]["schemas"]["ShareRead"]["properties"]
    for once in ("token", "url"):
        assert "present only in the answer that made it" in share[once]["description"]
    replace = spec["paths"]["/api/tracks/{track_id}/share/replace"]["post"]
    assert {"201", "404"} <= replace["responses"].keys()
    assert {"200", "201"} <= spec["paths"]["/api/tracks/{track_id}/share"]["post"][
        "responses"
    ].keys()


NOTED = """# Notes everywhere

Why I am learning this, for me alone.

## Basics

My private plan for the basics.

- [ ] First step
"""


async def test_a_shared_track_shows_no_category_notes(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, NOTED))["id"]
    mine = await read_track(client, learner, track_id)
    assert mine["categories"][0]["notes"]  # the owner sees them
    share = (await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)).json()

    shared = await client.get(share["url"])
    page = await client.get(f"/shared/{share['token']}")

    assert shared.json()["categories"][0]["notes"] == ""
    for text in (shared.text, page.text):
        assert "My private plan" not in text
        assert "First step" in text


async def test_a_made_up_share_token_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/shared/not-a-real-token"), 404)


# Learning path and templates ------------------------------------------------------------------


async def test_the_learning_path_orders_open_items_by_horizon_then_path_then_priority(
    client: httpx.AsyncClient, learner: Account
) -> None:
    text = """# Plan

## Immediate (This Month)
- [ ] Pre-commit hooks
- [x] Git fundamentals

## Critical things
- [ ] Backups

## Long-term
- [ ] Canary deployments

## Short-term (Next 3 Months)
- [ ] Tracing
- [-] Skipped thing

### Ideas
- [ ] Structured logging
- [ ] API documentation
"""
    track_id = (await import_track(client, learner, text))["id"]
    track = await read_track(client, learner, track_id)
    for title in ("Tracing", "Backups"):  # priority does not move an item on the written path
        item = item_named(track, title)
        await client.patch(
            f"/api/tracks/{track_id}/items/{item['id']}",
            json={"priority": "low"},
            headers=learner.headers,
        )
    docs = item_named(track, "API documentation")
    await client.patch(
        f"/api/tracks/{track_id}/items/{docs['id']}",
        json={"priority": "high", "due_date": "2031-01-01"},
        headers=learner.headers,
    )
    path = await read_json(client, "/api/learning-path", learner.headers)
    assert path["total_open"] == 6
    assert [(g["horizon"], [i["title"] for i in g["items"]]) for g in path["groups"]] == [
        ("immediate", ["Pre-commit hooks"]),
        ("short_term", ["Tracing", "API documentation", "Structured logging"]),
        ("long_term", ["Canary deployments"]),
        (None, ["Backups"]),
    ]
    assert path["groups"][-1]["items"][0]["priority"] == "low"
    assert path["groups"][0]["items"][0]["track_title"] == "Plan"
    limited = await read_json(client, "/api/learning-path", learner.headers, limit=2)
    assert sum(len(g["items"]) for g in limited["groups"]) == 2
    assert limited["total_open"] == 6


async def test_the_learning_progression_template_can_be_adopted_as_an_own_track(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    templates = await read_json(client, "/api/track-templates", learner.headers)
    assert [t["id"] for t in templates] == ["learning-progression"]
    ranks = app.state.ruleset.ranks
    expected_items = sum(len(r.what_you_can_do) + len(r.next_steps) for r in ranks)
    assert templates[0]["items"] == expected_items
    adopted = await client.post(
        "/api/track-templates/learning-progression/adopt", headers=learner.headers
    )
    assert adopted.status_code == 201, adopted.text
    track = await read_track(client, learner, adopted.json()["id"])
    assert track["template_id"] == "learning-progression"
    assert [c["title"] for c in track["categories"]] == [r.name for r in ranks]
    novice = track["categories"][0]
    assert [c["title"] for c in novice["categories"]] == ["What you can do", "Next steps"]
    assert [i["title"] for i in novice["categories"][0]["items"]] == list(ranks[0].what_you_can_do)
    assert_problem(
        await client.post("/api/track-templates/nope/adopt", headers=learner.headers), 404
    )


async def test_tracks_need_a_signed_in_learner(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/tracks"), 401)
    assert_problem(await client.get("/api/learning-path"), 401)


async def test_a_second_learner_sees_only_their_own_tracks(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await import_track(client, learner)
    other = await register_account(client, "third@example.com")
    assert (await read_json(client, "/api/tracks", other.headers))["items"] == []


async def test_a_multipart_upload_without_a_file_names_the_missing_field(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/tracks/import", files={"title": (None, "Only a title")}, headers=learner.headers
    )
    assert "file" in field_errors(response)
    assert (await read_json(client, "/api/tracks", learner.headers))["items"] == []


async def test_a_track_title_cannot_be_set_to_null(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner))["id"]
    response = await client.patch(
        f"/api/tracks/{track_id}", json={"title": None}, headers=learner.headers
    )
    assert "title" in field_errors(response)
    assert (await read_track(client, learner, track_id))["title"] == "Git basics"


async def test_the_seed_learning_path_lists_its_fifteen_entries_by_horizon_in_order(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await import_track(client, learner, SEED)
    path = await read_json(client, "/api/learning-path", learner.headers, limit=15)
    section = re.search(r"^## Learning Path\n(.*?)^---", SEED, re.DOTALL | re.MULTILINE)
    assert section is not None
    expected: list[tuple[str, list[str]]] = []
    for line in section[1].splitlines():
        if line.startswith("### "):
            expected.append((line[4:], []))
        elif entry := re.match(r"\d+\. (.*)", line):
            expected[-1][1].append(path_key(entry[1]))
    assert [(g["horizon"], [path_key(i["title"]) for i in g["items"]]) for g in path["groups"]] == [
        (horizon_for_heading(heading), keys) for heading, keys in expected
    ]
    positions = [i["path_position"] for g in path["groups"] for i in g["items"]]
    assert positions == list(range(15))


async def test_a_path_entry_naming_an_item_is_that_item_and_counts_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    text = """# Plan

## Tooling
- [ ] **Pre-commit hooks**: set them up
- [ ] Linting

## Learning Path

### This week
1. Pre-commit hooks
2. Type checking
"""
    track_id = (await import_track(client, learner, text))["id"]
    track = await read_track(client, learner, track_id)
    titles = [item["title"] for item in all_items(track)]
    assert titles == ["Pre-commit hooks", "Linting", "Type checking"]
    hooks = item_named(track, "Pre-commit hooks")
    assert (hooks["horizon"], hooks["path_position"]) == ("immediate", 0)
    assert item_named(track, "Linting")["path_position"] is None
    done = await client.patch(
        f"/api/tracks/{track_id}/items/{hooks['id']}",
        json={"state": "done"},
        headers=learner.headers,
    )
    assert done.status_code == 200, done.text
    progress = (await read_track(client, learner, track_id))["progress"]
    assert (progress["done"], progress["total"]) == (1, 3)
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds.count("item_completed") == 1
    path = await read_json(client, "/api/learning-path", learner.headers)
    first = path["groups"][0]
    assert (first["horizon"], [i["title"] for i in first["items"]]) == (
        "immediate",
        ["Type checking"],
    )
    exported = await client.get(f"/api/tracks/{track_id}/export", headers=learner.headers)
    reimported = await import_track(client, learner, exported.text)
    again = await read_track(client, learner, reimported["id"])
    assert [
        (i["title"], i["state"], i["horizon"], i["path_position"]) for i in all_items(again)
    ] == [
        (i["title"], i["state"], i["horizon"], i["path_position"])
        for i in all_items(await read_track(client, learner, track_id))
    ]
