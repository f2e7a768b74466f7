"""The tracks pages over ASGI on both databases, used as a browser would: importing, the tree
worked in place with htmx or by plain form posts (through the same code path as the API),
export, sharing, deleting, and who may see what."""

from __future__ import annotations

import html
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import (
    Account,
    all_events,
    projection_differences,
    read_json,
)
from tests.tracks.test_routes import (
    SMALL,
    all_items,
    category_named,
    import_track,
    item_named,
    set_state,
)
from tests.web.browsing import page_token, signed_up, submit, texts

SEED = Path(__file__).parent / "data" / "learning_track.md"
EMAIL = "ada@example.com"
TRACK_URL = re.compile(r"^/tracks/([0-9a-f-]{36})$")


async def paste(client: httpx.AsyncClient, document: str) -> httpx.Response:
    return await submit(client, "/tracks/import", {"document": document}, form_page="/tracks")


def track_id_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    match = TRACK_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


async def pasted_track(client: httpx.AsyncClient, document: str = SMALL) -> str:
    return track_id_of(await paste(client, document))


async def api_track(client: httpx.AsyncClient, account: Account, track_id: str) -> dict[str, Any]:
    return await read_json(client, f"/api/tracks/{track_id}", account.headers)


def htmx_headers(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


def selected_state(page: str, item_id: str) -> str:
    select = re.search(rf'<select id="state-{item_id}".*?</select>', page, flags=re.DOTALL)
    assert select, f"no state menu for {item_id}"
    states = re.findall(r'<option value="([a-z_]+)" selected>', select.group(0))
    assert len(states) == 1, states
    return states[0]


# The list, importing and adopting -------------------------------------------------------------


async def test_the_list_shows_each_track_with_its_progress_newest_first(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    first = await pasted_track(client, SMALL)
    second = await pasted_track(client, "# Reading\n\n- [x] Chapter one\n- [ ] Chapter two\n")
    item = item_named(await api_track(client, account, first), "Stage changes")
    await set_state(client, account, first, item["id"], "done")

    page = (await client.get("/tracks")).text

    links = re.findall(r'<h3><a href="/tracks/([0-9a-f-]{36})">([^<]+)</a></h3>', page)
    assert links == [(second, "Reading"), (first, "Git basics")]
    assert '<progress class="bar" max="100" value="50" aria-label="Progress of Reading">' in page
    assert '<progress class="bar" max="100" value="33" aria-label="Progress of Git basics">' in page
    assert "1 of 3 done · 33%" in page
    assert "1 of 2 done · 50%" in page


async def test_a_finished_track_is_marked_finished_in_the_list(client: httpx.AsyncClient) -> None:
    await signed_up(client)
    await pasted_track(client, "# Done already\n\n- [x] Everything\n")

    page = (await client.get("/tracks")).text

    assert "1 of 1 done · 100%" in page
    assert '<span class="chip done">Finished</span>' in page


async def test_pasted_markdown_is_imported_and_opens_its_track_page(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)

    response = await paste(client, SMALL)

    track_id = track_id_of(response)
    page = (await client.get(response.headers["location"])).text
    assert '<h1 class="track-title">Git basics</h1>' in page
    assert "Imported “Git basics”" in page
    for title in ("Commits", "Branches", "Stage changes", "Write a commit message"):
        assert title in page
    listed = (await read_json(client, "/api/tracks", account.headers))["items"]
    assert [t["id"] for t in listed] == [track_id]


async def test_an_uploaded_file_is_imported_with_the_title_given(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)

    response = await submit(
        client,
        "/tracks/import",
        {"title": "My study plan", "document": ""},
        files={"file": ("learning_track.md", SEED.read_bytes(), "text/markdown")},
        form_page="/tracks",
    )

    track = await api_track(client, account, track_id_of(response))
    assert track["title"] == "My study plan"
    checkboxes = re.findall(r"^\s*(?:[-*+]|\d+[.)]) \[[ xX]\] ", SEED.read_text(), re.MULTILINE)
    categories = list(track["categories"])
    for category in categories:  # every category, below the given title too
        categories += category["categories"]
    path = next(c for c in categories if c["title"] == "Learning Path")  # no checkboxes
    assert track["progress"]["total"] - path["progress"]["total"] == len(checkboxes)
    page = (await client.get(response.headers["location"])).text
    assert "Critical Unknown Unknowns (High Priority)" in page
    assert '<span class="chip priority-critical critical">Critical</span>' in page


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("# Notes\n\nJust prose, no checklist.\n- a bullet <b>bold</b>\n", "task-list"),
        ("# Bin\n\n- [ ] item\x00\x01\n", "NUL"),
    ],
    ids=["no-task-items", "nul-bytes"],
)
async def test_a_pasted_document_that_is_not_a_checklist_is_shown_again_with_the_reason(
    client: httpx.AsyncClient, document: str, message: str
) -> None:
    account = await signed_up(client)

    response = await paste(client, document)

    assert response.status_code == 422
    [error] = texts(response.text, "error")
    assert message in error
    assert 'aria-invalid="true" aria-describedby="f-document-error"' in response.text
    kept = re.search(r'<textarea id="f-document"[^>]*>\n(.*?)</textarea>', response.text, re.DOTALL)
    assert kept
    assert html.unescape(kept.group(1)) == document
    assert (await read_json(client, "/api/tracks", account.headers))["items"] == []


async def test_an_uploaded_file_that_is_not_utf8_is_refused_beside_the_file_field(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)

    response = await submit(
        client,
        "/tracks/import",
        files={"file": ("notes.md", b"# Bad\n\n- [ ] caf\xe9 au lait\n", "text/markdown")},
        form_page="/tracks",
    )

    assert response.status_code == 422
    assert '<p class="error" id="f-file-error">Is not UTF-8 text' in response.text
    assert (await read_json(client, "/api/tracks", account.headers))["items"] == []


async def test_a_document_over_one_mebibyte_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    line = "- [ ] an item to study\n"
    document = "# Big\n\n" + line * (1024 * 1024 // len(line) + 1)

    response = await paste(client, document)

    assert response.status_code == 413
    [error] = texts(response.text, "error")
    assert "at most 1048576 bytes" in error
    assert (await read_json(client, "/api/tracks", account.headers))["items"] == []


async def test_importing_nothing_or_both_a_file_and_text_asks_for_one(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)

    nothing = await paste(client, "   ")
    both = await submit(
        client,
        "/tracks/import",
        {"document": SMALL},
        files={"file": ("git.md", SMALL.encode(), "text/markdown")},
        form_page="/tracks",
    )

    assert nothing.status_code == 422
    assert texts(nothing.text, "error") == ["Upload a Markdown file, or paste the Markdown here"]
    assert both.status_code == 422
    assert texts(both.text, "alert") == ["Upload a file or paste the Markdown, not both"]
    assert (await read_json(client, "/api/tracks", account.headers))["items"] == []


async def test_the_import_address_opened_directly_leads_to_the_form(
    client: httpx.AsyncClient,
) -> None:
    await signed_up(client)

    response = await client.get("/tracks/import")

    assert response.status_code == 303
    assert response.headers["location"] == "/tracks#import"


async def test_a_template_is_listed_and_adopted_as_a_track(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    page = (await client.get("/tracks")).text
    assert "Learning Progression" in page
    assert 'action="/track-templates/learning-progression/adopt"' in page

    response = await submit(
        client, "/track-templates/learning-progression/adopt", form_page="/tracks"
    )

    track = await api_track(client, account, track_id_of(response))
    assert track["template_id"] == "learning-progression"


async def test_markdown_in_titles_is_shown_but_html_and_script_links_are_not_run(
    client: httpx.AsyncClient,
) -> None:
    await signed_up(client)
    document = (
        "# T\n\n## <img src=x onerror=alert(1)>\n"
        "- [ ] Learn `pip-tools` <script>alert(1)</script> [now](javascript:alert(1))\n"
    )
    track_id = await pasted_track(client, document)

    page = (await client.get(f"/tracks/{track_id}")).text

    assert "Learn <code>pip-tools</code> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<img" not in page
    assert "State of Learn pip-tools &lt;script&gt;alert(1)&lt;/script&gt;" in page


# Working the items ----------------------------------------------------------------------------


async def test_an_htmx_state_change_returns_the_item_and_the_progress_it_moved_out_of_band(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    track = await api_track(client, account, track_id)
    item = item_named(track, "Stage changes")
    commits = category_named(track, "Commits")
    branches = category_named(track, "Branches")
    token = await page_token(client, f"/tracks/{track_id}")

    response = await client.post(
        f"/tracks/{track_id}/items/{item['id']}/state",
        data={"state": "done"},
        headers=htmx_headers(token),
    )

    assert response.status_code == 200, response.text
    fragment = response.text
    assert fragment.lstrip().startswith(f'<li class="item state-done" id="item-{item["id"]}">')
    assert selected_state(fragment, item["id"]) == "done"
    assert "<html" not in fragment
    assert 'id="progress-track" hx-swap-oob="true"' in fragment
    assert 'value="33" aria-label="Progress of Git basics"' in fragment
    assert f'id="progress-cat-{commits["id"]}" hx-swap-oob="true"' in fragment
    assert 'value="50" aria-label="Progress of Commits"' in fragment
    assert f'id="progress-cat-{branches["id"]}" hx-swap-oob="true"' in fragment
    assert '<div hx-swap-oob="beforeend:#toasts">' in fragment
    assert "Achievement unlocked: " in fragment
    assert (await api_track(client, account, track_id))["progress"]["done"] == 1


async def test_a_state_changed_on_the_page_records_what_the_api_would(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    track = await api_track(client, account, track_id)
    token = await page_token(client, f"/tracks/{track_id}")
    for title in ("Stage changes", "Write a commit message"):
        url = f"/tracks/{track_id}/items/{item_named(track, title)['id']}/state"
        response = await client.post(url, data={"state": "done"}, headers=htmx_headers(token))
        assert response.status_code == 200, response.text
    # The same two changes through the JSON API, for another learner.
    api_id = (await import_track(client, learner))["id"]
    api_tree = await api_track(client, learner, api_id)
    for title in ("Stage changes", "Write a commit message"):
        await set_state(client, learner, api_id, item_named(api_tree, title)["id"], "done")

    on_page = await read_json(client, "/api/progress", account.headers)
    by_api = await read_json(client, "/api/progress", learner.headers)
    assert on_page["xp"] == by_api["xp"] == 2 * 10 + 25
    kinds = [e["kind"] for e in await all_events(client, account.headers)]
    assert sorted(kinds) == sorted(e["kind"] for e in await all_events(client, learner.headers))
    assert sorted(kinds) == ["category_finished", "item_completed", "item_completed"]
    assert await projection_differences(app, account) == []


async def test_a_state_sent_by_a_plain_form_goes_back_to_the_item_on_the_track_page(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    item = item_named(await api_track(client, account, track_id), "Create a branch")

    response = await submit(
        client,
        f"/tracks/{track_id}/items/{item['id']}/state",
        {"state": "in_progress"},
        form_page=f"/tracks/{track_id}",
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/tracks/{track_id}#item-{item['id']}"
    page = (await client.get(f"/tracks/{track_id}")).text
    assert selected_state(page, item["id"]) == "in_progress"
    assert "“Create a branch” is in progress" in page
    assert item_named(await api_track(client, account, track_id), "Create a branch")["state"] == (
        "in_progress"
    )


async def test_finishing_the_track_by_plain_form_shows_its_achievements_after_the_redirect(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client, "# One\n\n- [ ] The only item\n")
    item = item_named(await api_track(client, account, track_id), "The only item")

    await submit(
        client,
        f"/tracks/{track_id}/items/{item['id']}/state",
        {"state": "done"},
        form_page=f"/tracks/{track_id}",
    )

    page = (await client.get(f"/tracks/{track_id}")).text
    unlocked = await read_json(client, "/api/progress/achievements", account.headers)
    names = [a["name"] for a in unlocked["achievements"] if a["unlocked"]]
    assert names
    for name in names:
        assert f"Achievement unlocked: {html.escape(name)}" in page


async def test_the_track_page_labels_every_state_menu_and_offers_a_save_button_without_js(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    track = await api_track(client, account, track_id)

    page = (await client.get(f"/tracks/{track_id}")).text

    for title in ("Stage changes", "Write a commit message", "Create a branch"):
        item_id = item_named(track, title)["id"]
        assert f'<label class="visually-hidden" for="state-{item_id}">State of {title}</label>' in (
            page
        )
        assert (
            f'hx-post="/tracks/{track_id}/items/{item_id}/state" hx-trigger="change" '
            'hx-target="closest .item" hx-swap="outerHTML"'
        ) in page
    assert page.count('<noscript><button type="submit" class="button small">Save') == 3
    assert ' style="' not in page
    assert "<script>" not in page


async def test_an_invalid_state_is_refused_and_changes_nothing(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    item = item_named(await api_track(client, account, track_id), "Stage changes")
    token = await page_token(client, f"/tracks/{track_id}")

    response = await client.post(
        f"/tracks/{track_id}/items/{item['id']}/state",
        data={"state": "finished"},
        headers=htmx_headers(token),
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")
    assert item_named(await api_track(client, account, track_id), "Stage changes")["state"] == (
        "todo"
    )


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    item = item_named(await api_track(client, account, track_id), "Stage changes")

    state = await client.post(
        f"/tracks/{track_id}/items/{item['id']}/state", data={"state": "done"}
    )
    htmx = await client.post(
        f"/tracks/{track_id}/items/{item['id']}/state",
        data={"state": "done"},
        headers={"HX-Request": "true"},
    )
    deleted = await client.post(f"/tracks/{track_id}/delete")
    imported = await client.post("/tracks/import", data={"document": SMALL})

    assert [r.status_code for r in (state, htmx, deleted, imported)] == [403, 403, 403, 403]
    track = await api_track(client, account, track_id)
    assert item_named(track, "Stage changes")["state"] == "todo"
    assert len((await read_json(client, "/api/tracks", account.headers))["items"]) == 1
    assert await all_events(client, account.headers) == []


async def test_a_track_can_be_renamed(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)

    blank = await submit(
        client, f"/tracks/{track_id}/rename", {"title": "  "}, form_page=f"/tracks/{track_id}"
    )
    renamed = await submit(
        client, f"/tracks/{track_id}/rename", {"title": "Git, properly"}, form_page="/tracks"
    )

    assert blank.status_code == 422
    assert texts(blank.text, "error") == ["This field is required"]
    assert renamed.headers["location"] == f"/tracks/{track_id}"
    assert (await api_track(client, account, track_id))["title"] == "Git, properly"


# Who may see what -----------------------------------------------------------------------------


async def test_the_pages_ask_to_sign_in_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/tracks")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Ftracks"


async def test_another_learners_track_is_a_404_page_for_every_action(
    client: httpx.AsyncClient, learner: Account
) -> None:
    theirs = (await import_track(client, learner))["id"]
    item = item_named(await api_track(client, learner, theirs), "Stage changes")
    await signed_up(client)
    token = await page_token(client, "/tracks")

    pages = [
        await client.get(f"/tracks/{theirs}"),
        await client.get(f"/tracks/{theirs}/export?format=markdown"),
        await client.get(f"/tracks/{theirs}/delete"),
    ]
    posts = [
        await client.post(f"/tracks/{theirs}/{action}", data={"csrf_token": token})
        for action in ("share", "share/replace", "unshare", "delete")
    ]
    posts.append(
        await client.post(
            f"/tracks/{theirs}/items/{item['id']}/state",
            data={"csrf_token": token, "state": "done"},
        )
    )

    for response in [*pages, *posts]:
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("text/html")
        assert "Git basics" not in response.text
    assert (await api_track(client, learner, theirs))["share"] is None
    assert item_named(await api_track(client, learner, theirs), "Stage changes")["state"] == "todo"


# Export, sharing and deleting -----------------------------------------------------------------


async def test_export_downloads_the_same_markdown_as_the_api(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)

    response = await client.get(f"/tracks/{track_id}/export?format=markdown")
    as_json = await client.get(f"/tracks/{track_id}/export?format=json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="git-basics.md"'
    api = await client.get(
        f"/api/tracks/{track_id}/export?format=markdown", headers=account.headers
    )
    assert response.text == api.text
    assert "- [ ] Stage changes" in response.text
    assert as_json.headers["content-disposition"] == 'attachment; filename="git-basics.json"'
    assert as_json.json()["track"]["id"] == track_id


async def test_a_shared_link_opens_without_signing_in_and_stops_when_sharing_is_off(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    item = item_named(await api_track(client, account, track_id), "Stage changes")
    noted = await client.patch(
        f"/api/tracks/{track_id}/items/{item['id']}",
        json={"notes": "my private thoughts"},
        headers=account.headers,
    )
    assert noted.status_code == 200, noted.text

    shared = await submit(client, f"/tracks/{track_id}/share", form_page=f"/tracks/{track_id}")
    assert shared.status_code == 200  # the track page itself, the one time it shows the link
    assert "my private thoughts" in shared.text
    assert "Copy the link now: it will not be shown again." in shared.text
    token = shown_share_token(shared.text)
    assert (await api_track(client, account, track_id))["share"]["token"] is None
    page = (await client.get(f"/tracks/{track_id}")).text
    assert token not in page
    assert "A read-only link is active." in page
    assert f'action="/tracks/{track_id}/share/replace"' in page

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        public = await stranger.get(f"/shared/{token}")
        assert public.status_code == 200
        assert '<h1 class="track-title">Git basics</h1>' in public.text
        assert "Stage changes" in public.text
        assert '<span class="chip state-todo">To do</span>' in public.text
        assert "my private thoughts" not in public.text
        assert EMAIL not in public.text
        assert "<select" not in public.text
        assert 'action="/sign-out"' not in public.text

        await submit(client, f"/tracks/{track_id}/unshare", form_page=f"/tracks/{track_id}")

        gone = await stranger.get(f"/shared/{token}")
        assert gone.status_code == 404
        assert "Git basics" not in gone.text
    page = (await client.get(f"/tracks/{track_id}")).text
    assert 'id="share-link"' not in page
    assert "A read-only link is active." not in page
    assert f'action="/tracks/{track_id}/share"' in page


def shown_share_token(page: str) -> str:
    link = re.search(r'<input id="share-link" class="secret" readonly value="([^"]+)">', page)
    assert link, "the page does not show the new link"
    assert link.group(1).startswith("http://testserver/shared/")
    return link.group(1).removeprefix("http://testserver/shared/")


async def test_replacing_a_shared_link_on_the_track_page_stops_the_old_one(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await signed_up(client)
    track_id = await pasted_track(client)
    shared = await submit(client, f"/tracks/{track_id}/share", form_page=f"/tracks/{track_id}")
    old = shown_share_token(shared.text)
    again = await submit(client, f"/tracks/{track_id}/share", form_page=f"/tracks/{track_id}")
    assert again.headers["location"] == f"/tracks/{track_id}#share"  # already shared

    replaced = await submit(
        client, f"/tracks/{track_id}/share/replace", form_page=f"/tracks/{track_id}"
    )
    assert replaced.status_code == 200
    assert "A new link is made, and the old one no longer works." in replaced.text
    new = shown_share_token(replaced.text)
    assert new != old

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        assert (await stranger.get(f"/shared/{old}")).status_code == 404
        assert (await stranger.get(f"/shared/{new}")).status_code == 200


async def test_deleting_a_track_asks_first_and_then_deletes_it(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)

    confirm = await client.get(f"/tracks/{track_id}/delete")

    assert confirm.status_code == 200
    assert "Delete “Git basics”?" in confirm.text
    assert f'<form method="post" action="/tracks/{track_id}/delete">' in confirm.text
    assert (await api_track(client, account, track_id))["id"] == track_id

    deleted = await submit(client, f"/tracks/{track_id}/delete", form_page=f"/tracks/{track_id}")

    assert deleted.headers["location"] == "/tracks"
    assert "The track is deleted" in (await client.get("/tracks")).text
    assert (await client.get(f"/tracks/{track_id}")).status_code == 404
    assert (await read_json(client, "/api/tracks", account.headers))["items"] == []


async def test_a_track_id_that_does_not_exist_is_a_404_page(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    response = await client.get(f"/tracks/{uuid.uuid4()}")

    assert response.status_code == 404
    assert "404 · Not Found" in response.text


# Updating from an edited document -------------------------------------------------------------


async def test_an_edited_document_is_previewed_on_the_track_page_and_applied_by_plain_posts(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await pasted_track(client)
    item = item_named(await api_track(client, account, track_id), "Stage changes")
    await set_state(client, account, track_id, item["id"], "done")
    edited = SMALL.replace("- [ ] Create a branch\n", "- [ ] Merge a branch\n")

    preview = await submit(
        client,
        f"/tracks/{track_id}/markdown/preview",
        {"document": edited},
        form_page=f"/tracks/{track_id}",
    )

    assert preview.status_code == 200, preview.text
    assert "What the document changes" in preview.text
    assert "Added (1)" in preview.text
    assert "Removed (1)" in preview.text
    kept = re.search(
        r'<textarea name="document" hidden[^>]*>\n(.*?)</textarea>', preview.text, re.S
    )
    assert kept
    assert html.unescape(kept.group(1)) == edited
    track = await api_track(client, account, track_id)
    assert item_named(track, "Create a branch")  # nothing applied yet

    applied = await submit(
        client,
        f"/tracks/{track_id}/markdown",
        {"document": edited},
        form_page=f"/tracks/{track_id}",
    )

    assert applied.status_code == 303
    assert applied.headers["location"] == f"/tracks/{track_id}"
    page = (await client.get(applied.headers["location"])).text
    assert "The track is updated from Markdown" in page
    assert "1 added, 0 changed, 1 archived" in page
    track = await api_track(client, account, track_id)
    titles = {i["title"]: i["state"] for i in all_items(track)}
    assert titles == {
        "Stage changes": "done",
        "Write a commit message": "todo",
        "Merge a branch": "todo",
    }


async def test_a_document_that_is_not_a_checklist_is_shown_again_beside_the_update_form(
    client: httpx.AsyncClient,
) -> None:
    await signed_up(client)
    track_id = await pasted_track(client)
    response = await submit(
        client,
        f"/tracks/{track_id}/markdown/preview",
        {"document": "Just prose"},
        form_page=f"/tracks/{track_id}",
    )
    assert response.status_code == 422
    assert "task-list items" in response.text
    assert 'aria-describedby="f-update-document-error"' in response.text
    assert "Apply" not in response.text


async def test_another_learners_track_cannot_be_updated_from_a_document(
    client: httpx.AsyncClient, learner: Account
) -> None:
    theirs = (await import_track(client, learner))["id"]
    await signed_up(client)
    token = await page_token(client, "/tracks")
    for action in ("markdown/preview", "markdown"):
        response = await client.post(
            f"/tracks/{theirs}/{action}", data={"csrf_token": token, "document": "- [ ] x\n"}
        )
        assert response.status_code == 404, response.text
        assert "Git basics" not in response.text
    assert len(all_items(await api_track(client, learner, theirs))) == 3
