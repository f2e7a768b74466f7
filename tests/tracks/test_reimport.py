"""Re-importing an edited document into a track over HTTP on both databases: the track becomes
what the document says, kept items keep their state and XP, removed ones are archived."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questpath.tracks.drafts import CategoryDraft, ItemDraft, TrackDraft
from questpath.tracks.markdown import parse_track
from questpath.tracks.markdown_export import render_track
from tests.auth.test_authentication import create_key, key_headers
from tests.helpers import (
    Account,
    assert_problem,
    field_errors,
    projection_differences,
    read_json,
    register_account,
)
from tests.tracks.test_routes import (
    MARKDOWN,
    SEED,
    all_items,
    import_track,
    item_named,
    read_track,
    set_state,
    xp_of,
)

BASE = """# Plan

## Alpha
- [ ] Item 0
- [ ] Item 1
- [ ] Item 2

## Beta
- [ ] Item 3
- [ ] Item 4
  - [ ] Item 5

## Gamma
- [ ] Item 6
- [ ] Item 7
"""
CATEGORIES = ("Alpha", "Beta", "Gamma")


async def export_text(client: httpx.AsyncClient, account: Account, track_id: str) -> str:
    response = await client.get(f"/api/tracks/{track_id}/export", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.text


async def reimport(
    client: httpx.AsyncClient,
    account: Account,
    track_id: str,
    text: str,
    *,
    dry_run: bool = False,
    status: int = 200,
) -> dict[str, Any]:
    response = await client.put(
        f"/api/tracks/{track_id}/markdown",
        content=text.encode(),
        headers=account.headers | MARKDOWN,
        params={"dry_run": "true"} if dry_run else {},
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(changes: list[dict[str, Any]]) -> list[str]:
    return [change["title"] for change in changes]


def states(track: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["state"] for item in all_items(track)}


# The property: random edits of an export keep every surviving item's state and all XP ---------

edit_of_item = st.sampled_from(["keep", "rename", "move", "delete", "no_id"])


@st.composite
def edits(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "states": draw(
            st.lists(st.sampled_from(["todo", "in_progress", "done", "skipped"]), min_size=8)
        )[:8],
        "edits": draw(st.lists(edit_of_item, min_size=8, max_size=8)),
        "targets": draw(st.lists(st.integers(0, 2), min_size=8, max_size=8)),
        "added": draw(st.lists(st.sampled_from(["todo", "done"]), max_size=3)),
        "order": draw(st.permutations(range(3))),
        "reverse": draw(st.booleans()),
    }


def edited(draft: TrackDraft, plan: dict[str, Any]) -> tuple[TrackDraft, dict[str, str]]:
    """The draft with the plan's edits, and what became of each item: title -> its new title,
    or "" for a deleted one. Sub-items go with their parent."""
    fate: dict[str, str] = {}
    placed: dict[int, list[ItemDraft]] = {index: [] for index in range(3)}

    def edit(item: ItemDraft, index: int) -> tuple[ItemDraft | None, int]:
        number = int(item.title.split()[-1])
        change, target = plan["edits"][number], plan["targets"][number]
        if change == "delete":
            fate[item.title] = ""
            for child in item.children:
                fate[child.title] = ""
            return None, index
        new_title = f"Renamed {number}" if change == "rename" else item.title
        fate[item.title] = new_title
        for child in item.children:
            fate[child.title] = child.title
        ref = None if change == "no_id" else item.ref
        return replace(item, title=new_title, ref=ref), target if change == "move" else index

    for index, category in enumerate(draft.root.children):
        for item in category.items:
            new, where = edit(item, index)
            if new is not None:
                placed[where].append(new)
    for number, state in enumerate(plan["added"]):
        placed[number % 3].append(ItemDraft(f"New {number}", state=state))
    categories = []
    for index in plan["order"]:
        items = placed[index][::-1] if plan["reverse"] else placed[index]
        categories.append(CategoryDraft(CATEGORIES[index], items=tuple(items)))
    return replace(draft, root=replace(draft.root, children=tuple(categories))), fate


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=edits())
async def test_re_importing_an_edited_export_keeps_the_state_and_xp_of_every_surviving_item(
    client: httpx.AsyncClient, app: FastAPI, plan: dict[str, Any]
) -> None:
    account = await register_account(client, f"{uuid.uuid4().hex}@example.com")
    track_id = (await import_track(client, account, BASE))["id"]
    before = await read_track(client, account, track_id)
    by_title = {item["title"]: item["id"] for item in all_items(before)}
    for number, state in enumerate(plan["states"]):
        if state != "todo":
            await set_state(client, account, track_id, by_title[f"Item {number}"], state)
    xp = await xp_of(client, account)
    draft, fate = edited(parse_track(await export_text(client, account, track_id)), plan)

    body = await reimport(client, account, track_id, render_track(draft))

    after = await read_track(client, account, track_id)
    items = {item["id"]: item for item in all_items(after)}
    for number, state in enumerate(plan["states"]):
        title = f"Item {number}"
        item_id = by_title[title]
        if fate[title]:
            assert items[item_id]["state"] == state, title
            assert items[item_id]["title"] == fate[title]
        else:
            assert item_id not in items, title
    gone = {by_title[title] for title, new in fate.items() if not new}
    assert {change["id"] for change in body["removed"]} == gone
    new = [item for item in all_items(after) if item["title"].startswith("New ")]
    assert sorted((i["title"], i["state"]) for i in new) == sorted(
        (f"New {n}", state) for n, state in enumerate(plan["added"])
    )
    assert len(body["added"]) == len(plan["added"])
    assert after["progress"]["total"] == len(items)
    assert [c["title"] for c in after["categories"]] == [CATEGORIES[i] for i in plan["order"]]
    assert await xp_of(client, account) == xp
    assert await projection_differences(app, account) == []


# The preview ----------------------------------------------------------------------------------


async def test_the_preview_lists_what_is_added_changed_moved_and_removed_and_changes_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    before = await read_track(client, learner, track_id)
    text = await export_text(client, learner, track_id)
    edited_text = (
        text.replace("Item 0 <!--", "Item zero <!--")  # renamed
        .replace("- [ ] Item 2", "- [x] Item 2")  # the checkbox of a kept item: ignored
        .replace("## Gamma", "## Gamma\n\n- [ ] Brand new")  # added
    )
    lines = edited_text.split("\n")
    moved = next(line for line in lines if "Item 1 <!--" in line)
    removed = next(line for line in lines if "Item 7 <!--" in line)
    lines = [line for line in lines if line not in (moved, removed)]
    lines.insert(lines.index("## Gamma"), moved)  # Item 1 to Beta, at its end
    edited_text = "\n".join(lines).replace("## Gamma", "\n## Gamma")

    preview = await reimport(client, learner, track_id, edited_text, dry_run=True)

    assert preview["applied"] is False
    assert titles(preview["added"]) == ["Brand new"]
    assert preview["added"][0]["id"] is None
    assert preview["added"][0]["category"] == ["Gamma"]
    assert titles(preview["changed"]) == ["Item zero"]
    assert preview["changed"][0]["previous_title"] == "Item 0"
    assert preview["changed"][0]["fields"] == ["title"]
    assert titles(preview["moved"]) == ["Item 1"]
    assert preview["moved"][0]["previous_category"] == ["Alpha"]
    assert preview["moved"][0]["category"] == ["Beta"]
    assert titles(preview["removed"]) == ["Item 7"]
    assert preview["restored"] == []
    assert preview["unchanged"] == 5
    assert await read_track(client, learner, track_id) == before

    applied = await reimport(client, learner, track_id, edited_text)
    assert applied["applied"] is True
    assert {k: applied[k] for k in ("added", "changed", "moved", "removed")} == {
        k: preview[k] for k in ("added", "changed", "moved", "removed")
    }
    after = await read_track(client, learner, track_id)
    assert item_named(after, "Item 2")["state"] == "todo"  # the stored state wins
    assert [i["title"] for i in after["categories"][1]["items"]] == ["Item 3", "Item 4", "Item 1"]


async def test_re_importing_an_unchanged_export_changes_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, SEED))["id"]
    before = await read_track(client, learner, track_id)
    text = await export_text(client, learner, track_id)
    body = await reimport(client, learner, track_id, text)
    assert body["added"] == body["changed"] == body["moved"] == body["removed"] == []
    assert body["unchanged"] == len(all_items(before))
    after = await read_track(client, learner, track_id)
    before.pop("updated_at"), after.pop("updated_at")
    assert after == before


async def test_a_removed_item_is_archived_and_listing_it_again_restores_its_state(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    track = await read_track(client, learner, track_id)
    await set_state(client, learner, track_id, item_named(track, "Item 4")["id"], "done")
    await set_state(client, learner, track_id, item_named(track, "Item 5")["id"], "in_progress")
    xp = await xp_of(client, learner)
    without = BASE.replace("- [ ] Item 4\n  - [ ] Item 5\n", "")

    removed = await reimport(client, learner, track_id, without)
    assert titles(removed["removed"]) == ["Item 4", "Item 5"]
    track = await read_track(client, learner, track_id)
    assert "Item 4" not in {item["title"] for item in all_items(track)}
    assert track["progress"]["total"] == 6
    assert (await read_json(client, "/api/tracks", learner.headers))["items"][0]["progress"][
        "total"
    ] == 6
    path = await read_json(client, "/api/learning-path", learner.headers)
    assert path["total_open"] == 6
    item_id = item_named(await read_track(client, learner, track_id), "Item 3")["id"]
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item_named(track, 'Item 3')['id']}",
        json={"state": "done"},
        headers=learner.headers,
    )
    assert response.status_code == 200
    assert await xp_of(client, learner) > xp
    xp = await xp_of(client, learner)

    # Hand-written, without ids: found again by title in its category.
    restored = await reimport(client, learner, track_id, BASE)
    assert titles(restored["restored"]) == ["Item 4", "Item 5"]
    assert restored["added"] == []
    track = await read_track(client, learner, track_id)
    assert item_named(track, "Item 4")["state"] == "done"
    assert item_named(track, "Item 5")["state"] == "in_progress"
    assert item_named(track, "Item 3")["id"] == item_id
    assert await xp_of(client, learner) == xp
    assert await projection_differences(app, learner) == []


async def test_a_document_without_a_heading_keeps_the_track_s_title(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    body = await reimport(client, learner, track_id, BASE.replace("# Plan\n", ""))
    assert body["track"]["title"] == "Plan"
    body = await reimport(client, learner, track_id, BASE.replace("# Plan", "# Plan B"))
    assert body["track"]["title"] == "Plan B"


async def test_an_archived_item_cannot_be_changed(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    item_id = item_named(await read_track(client, learner, track_id), "Item 7")["id"]
    await reimport(client, learner, track_id, BASE.replace("- [ ] Item 7\n", ""))
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item_id}", json={"state": "done"}, headers=learner.headers
    )
    assert_problem(response, 404)


async def test_ids_of_another_track_in_a_document_are_ignored(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = (await import_track(client, learner, BASE))["id"]
    text = await export_text(client, learner, first)
    second = (await import_track(client, learner, "# Other\n\n- [ ] Something\n"))["id"]
    body = await reimport(client, learner, second, text)
    assert len(body["added"]) == 8
    assert titles(body["removed"]) == ["Something"]
    # A fresh import of an export with ids makes new items too.
    third = await import_track(client, learner, text)
    ids = {i["id"] for i in all_items(await read_track(client, learner, third["id"]))}
    assert not ids & {i["id"] for i in all_items(await read_track(client, learner, first))}


async def test_re_import_keeps_the_learning_path_and_resources_of_kept_items(
    client: httpx.AsyncClient, learner: Account
) -> None:
    text = """# Path

## Basics
- [ ] Git fundamentals
- [ ] [Pro Git](https://git-scm.com/book)

## Learning Path
### Immediate (This Month)
1. Git fundamentals
"""
    track_id = (await import_track(client, learner, text))["id"]
    track = await read_track(client, learner, track_id)
    assert item_named(track, "Git fundamentals")["path_position"] == 0
    await set_state(client, learner, track_id, item_named(track, "Pro Git")["id"], "done")
    edited_text = text.replace("1. Git fundamentals", "1. Pro Git\n2. Git fundamentals")
    await reimport(client, learner, track_id, edited_text)
    track = await read_track(client, learner, track_id)
    assert item_named(track, "Pro Git")["path_position"] == 0
    assert item_named(track, "Pro Git")["horizon"] == "immediate"
    assert item_named(track, "Pro Git")["state"] == "done"
    assert item_named(track, "Pro Git")["resources"] == [
        {"title": "Pro Git", "url": "https://git-scm.com/book"}
    ]
    assert item_named(track, "Git fundamentals")["path_position"] == 1
    assert len(all_items(track)) == 2


# Who may, and what is refused -----------------------------------------------------------------


async def test_another_learner_gets_404_and_the_track_is_unchanged(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    before = await read_track(client, learner, track_id)
    for dry_run in (True, False):
        response = await client.put(
            f"/api/tracks/{track_id}/markdown",
            content=b"# Mine\n\n- [ ] x\n",
            headers=other_learner.headers | MARKDOWN,
            params={"dry_run": str(dry_run).lower()},
        )
        assert_problem(response, 404)
    missing = await client.put(
        f"/api/tracks/{uuid.uuid4()}/markdown",
        content=b"- [ ] x\n",
        headers=learner.headers | MARKDOWN,
    )
    assert_problem(missing, 404)
    assert await read_track(client, learner, track_id) == before


async def test_a_document_that_is_not_a_checklist_is_422_naming_it_and_too_large_is_413(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    before = await read_track(client, learner, track_id)
    for content, message in (
        (b"# Notes\n\nJust prose.\n", "task-list"),
        (b"- [ ] caf\xe9\n", "UTF-8"),
    ):
        response = await client.put(
            f"/api/tracks/{track_id}/markdown", content=content, headers=learner.headers | MARKDOWN
        )
        assert message in field_errors(response)["document"]
    upload = await client.put(
        f"/api/tracks/{track_id}/markdown",
        files={"other": ("a.md", b"- [ ] x\n", "text/markdown")},
        headers=learner.headers,
    )
    assert "file" in field_errors(upload)
    line = b"- [ ] an item to study\n"
    big = b"# Big\n\n" + line * (1024 * 1024 // len(line) + 1)
    response = await client.put(
        f"/api/tracks/{track_id}/markdown", content=big, headers=learner.headers | MARKDOWN
    )
    assert "1048576 bytes" in assert_problem(response, 413)["detail"]
    assert await read_track(client, learner, track_id) == before


async def test_re_import_needs_a_writer_like_import(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    url = f"/api/tracks/{track_id}/markdown"
    assert_problem(await client.put(url, content=BASE.encode(), headers=MARKDOWN), 401)
    reader = key_headers(await create_key(client, learner, ["tracks:read", "events:write"]))
    refused = await client.put(url, content=BASE.encode(), headers=reader | MARKDOWN)
    assert "tracks:write" in assert_problem(refused, 403)["detail"]
    writer = key_headers(await create_key(client, learner, ["tracks:read", "tracks:write"]))
    response = await client.put(url, content=BASE.encode(), headers=writer | MARKDOWN)
    assert response.status_code == 200, response.text


async def test_a_multipart_upload_re_imports_too(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, BASE))["id"]
    response = await client.put(
        f"/api/tracks/{track_id}/markdown",
        files={"file": ("plan.md", (BASE + "- [ ] Item 8\n").encode(), "text/markdown")},
        params={"dry_run": "true"},
        headers=learner.headers,
    )
    assert response.status_code == 200, response.text
    assert titles(response.json()["added"]) == ["Item 8"]
    assert states(await read_track(client, learner, track_id))
