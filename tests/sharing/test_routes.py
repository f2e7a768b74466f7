"""The sharing API on both databases: turning the public page on and off, revoking its link,
choosing a handle, sections and tracks, and who may change them."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.test_routes import bearer, create_key
from tests.helpers import Account, assert_problem, field_errors, read_json, table_values
from tests.tracks.test_routes import import_track

SECTIONS = ["rank", "level", "streaks", "badges", "skill_levels", "calendar", "tracks"]


async def put_sharing(client: httpx.AsyncClient, account: Account, **body: Any) -> httpx.Response:
    return await client.put("/api/sharing", json={"enabled": True, **body}, headers=account.headers)


async def shared(client: httpx.AsyncClient, account: Account, **body: Any) -> dict[str, Any]:
    response = await put_sharing(client, account, **body)
    assert response.status_code == 200, response.text
    settings: dict[str, Any] = response.json()
    return settings


async def stranger_get(app: FastAPI, path: str) -> httpx.Response:
    """`path` fetched by a visitor with no account and no cookies."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        return await stranger.get(path)


async def test_sharing_is_off_until_the_learner_turns_it_on(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await read_json(client, "/api/sharing", learner.headers)
    assert body["enabled"] is False
    assert body["has_link"] is False
    assert body["token"] is None
    assert body["url"] is None
    assert body["handle"] is None
    assert body["sections"] == ["rank", "level", "streaks"]
    assert body["tracks"] == []


async def test_turning_sharing_on_makes_an_unguessable_link_that_opens_without_signing_in(
    client: httpx.AsyncClient, app: FastAPI, learner: Account, other_learner: Account
) -> None:
    mine = await shared(client, learner)
    theirs = await shared(client, other_learner)
    assert mine["enabled"] is True
    assert len(mine["token"]) >= 40
    assert mine["token"] != theirs["token"]
    assert mine["url"] == f"/p/{mine['token']}"
    assert mine["badge_url"] == f"/p/{mine['token']}/badge.svg"
    assert mine["has_link"] is True
    # Shown once: afterwards the settings say a link exists, not what it is.
    hidden = {"token": None, "url": None, "badge_url": None}
    assert await read_json(client, "/api/sharing", learner.headers) == {**mine, **hidden}
    assert (await shared(client, learner)) | {"updated_at": None} == {
        **mine,
        **hidden,
        "updated_at": None,
    }

    page = await stranger_get(app, mine["url"])
    assert page.status_code == 200
    assert "Rank" in page.text


async def test_the_database_keeps_only_the_hash_of_the_link(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    made = await shared(client, learner)
    revoked = (await client.post("/api/sharing/revoke", headers=learner.headers)).json()
    stored = await table_values(app, "progress_shares")
    for token in (made["token"], revoked["token"]):
        assert not [value for value in stored if token in value]
    assert hashlib.sha256(revoked["token"].encode()).hexdigest() in stored
    assert (await stranger_get(app, revoked["url"])).status_code == 200


async def test_turning_sharing_off_makes_the_link_the_profile_and_the_badge_404_at_once(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    on = await shared(client, learner, handle="ada")
    paths = [on["url"], on["badge_url"], "/u/ada", "/u/ada/badge.svg"]
    for path in paths:
        assert (await stranger_get(app, path)).status_code == 200, path

    off = await shared(client, learner, enabled=False, handle="ada")
    assert off["enabled"] is False
    for path in paths:
        gone = await stranger_get(app, path)
        assert gone.status_code == 404, path
        assert "set-cookie" not in gone.headers

    # On again: the same link comes back, without being shown; only revoking makes a new one.
    again = await shared(client, learner, handle="ada")
    assert again["has_link"] is True
    assert again["token"] is None
    for path in paths:
        assert (await stranger_get(app, path)).status_code == 200, path


async def test_revoking_gives_a_new_link_and_the_old_one_is_a_404(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    before = await shared(client, learner, handle="ada", sections=["rank", "tracks"])
    response = await client.post("/api/sharing/revoke", headers=learner.headers)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["token"] != before["token"]
    assert after["url"] == f"/p/{after['token']}"
    assert after["handle"] == "ada"
    assert after["sections"] == ["rank", "tracks"]
    assert (await stranger_get(app, before["url"])).status_code == 404
    assert (await stranger_get(app, before["badge_url"])).status_code == 404
    assert (await stranger_get(app, after["url"])).status_code == 200


async def test_revoking_before_sharing_was_ever_on_is_a_404(
    client: httpx.AsyncClient, learner: Account
) -> None:
    assert_problem(await client.post("/api/sharing/revoke", headers=learner.headers), 404)


async def test_an_unknown_link_or_handle_is_a_404(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await shared(client, learner, handle="ada")
    for path in [
        "/p/not-a-token",
        f"/p/{'x' * 43}/badge.svg",
        "/u/nobody",
        "/u/nobody/badge.svg",
        "/u/ad",
        "/u/admin",
    ]:
        response = await stranger_get(app, path)
        assert response.status_code == 404, path
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    ("handle", "says"),
    [
        ("ab", "must be 3 to 32 characters long"),
        ("a" * 33, "must be 3 to 32 characters long"),
        ("ada lovelace", "may hold only letters"),
        ("-ada", "must start with a letter or digit"),
        ("admin", "'admin' is reserved"),
        ("Static", "'static' is reserved"),
        ("a" * 101, "at most 100 characters"),
    ],
)
async def test_an_invalid_handle_is_refused_naming_the_handle(
    client: httpx.AsyncClient, learner: Account, handle: str, says: str
) -> None:
    errors = field_errors(await put_sharing(client, learner, handle=handle))
    assert list(errors) == ["handle"]
    assert says in errors["handle"]
    assert (await read_json(client, "/api/sharing", learner.headers))["enabled"] is False


async def test_a_handle_is_unique_ignoring_case(
    client: httpx.AsyncClient, app: FastAPI, learner: Account, other_learner: Account
) -> None:
    mine = await shared(client, learner, handle="Ada_L")
    assert mine["handle"] == "ada_l"
    assert mine["profile_url"] == "/u/ada_l"

    taken = await put_sharing(client, other_learner, handle="ADA_l")
    body = assert_problem(taken, 409)
    assert body["errors"] == [
        {"field": "handle", "message": "'ada_l' is taken by another learner; choose another"}
    ]
    # Saving one's own handle again is no conflict; and it is found in any case.
    assert (await shared(client, learner, handle="ada_L"))["handle"] == "ada_l"
    assert (await stranger_get(app, "/u/ADA_L")).status_code == 200

    # Once given up, the handle is free for another learner.
    await shared(client, learner, handle=None)
    assert (await stranger_get(app, "/u/ada_l")).status_code == 404
    assert (await shared(client, other_learner, handle="ada_l"))["handle"] == "ada_l"


async def test_an_unknown_section_is_refused_naming_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    errors = field_errors(await put_sharing(client, learner, sections=["rank", "email"]))
    assert list(errors) == ["sections[1]"]


async def test_sections_are_kept_in_page_order_each_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await shared(client, learner, sections=["tracks", "rank", "tracks", "calendar"])
    assert body["sections"] == ["rank", "calendar", "tracks"]


async def test_only_the_learners_own_tracks_can_be_shared(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    mine = await import_track(client, learner)
    theirs = await import_track(client, other_learner)
    response = await put_sharing(
        client, learner, tracks=[mine["id"], theirs["id"], str(uuid.uuid4())]
    )
    errors = field_errors(response)
    assert set(errors) == {"tracks[1]", "tracks[2]"}
    assert theirs["id"] in errors["tracks[1]"]

    body = await shared(client, learner, tracks=[mine["id"], mine["id"]])
    assert body["tracks"] == [mine["id"]]


async def test_a_deleted_track_leaves_the_shared_tracks(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track = await import_track(client, learner)
    await shared(client, learner, sections=["tracks"], tracks=[track["id"]])
    deleted = await client.delete(f"/api/tracks/{track['id']}", headers=learner.headers)
    assert deleted.status_code == 204
    assert (await read_json(client, "/api/sharing", learner.headers))["tracks"] == []


async def test_an_api_key_with_profile_read_reads_the_settings_but_cannot_change_them(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, ["profile:read", "events:write", "tracks:write"])
    headers = bearer(key["secret"])
    assert (await client.get("/api/sharing", headers=headers)).status_code == 200
    put = await client.put("/api/sharing", json={"enabled": True}, headers=headers)
    assert "profile:write" in assert_problem(put, 403)["detail"]
    revoke = await client.post("/api/sharing/revoke", headers=headers)
    assert "profile:write" in assert_problem(revoke, 403)["detail"]
    assert (await read_json(client, "/api/sharing", learner.headers))["enabled"] is False


async def test_an_api_key_without_profile_read_gets_no_link(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await put_sharing(client, learner, enabled=True)
    key = await create_key(client, learner, ["events:read", "progress:read", "profile:write"])
    headers = bearer(key["secret"])
    for response in (
        await client.get("/api/sharing", headers=headers),
        await client.put("/api/sharing", json={"enabled": True}, headers=headers),
    ):
        assert "profile:read" in assert_problem(response, 403)["detail"]


async def test_an_api_key_with_the_profile_scopes_turns_the_page_on(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, ["profile:read", "profile:write"])
    response = await client.put(
        "/api/sharing", json={"enabled": True}, headers=bearer(key["secret"])
    )
    assert response.status_code == 200, response.text
    assert (await read_json(client, "/api/sharing", learner.headers))["enabled"] is True


async def test_the_settings_need_a_signed_in_caller(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/sharing"), 401)
    assert_problem(await client.put("/api/sharing", json={"enabled": True}), 401)
    assert_problem(await client.post("/api/sharing/revoke"), 401)


async def test_unknown_fields_are_refused(client: httpx.AsyncClient, learner: Account) -> None:
    errors = field_errors(await put_sharing(client, learner, email=True))
    assert list(errors) == ["email"]


async def test_the_schema_documents_the_sharing_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert {"get", "put"} <= spec["paths"]["/api/sharing"].keys()
    assert "post" in spec["paths"]["/api/sharing/revoke"]
    read = spec["components"]["schemas"]["SharingRead"]["properties"]
    for once in ("token", "url", "badge_url"):
        assert "only in the response that made the link" in read[once]["description"]
    update = spec["components"]["schemas"]["SharingUpdate"]
    assert update["required"] == ["enabled"]
    assert update["properties"]["sections"]["items"]["enum"] == SECTIONS
