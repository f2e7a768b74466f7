"""Which learner a statement's agent is: the learner's own address, identities linked through
/api/xapi/identities, and nobody for accounts out of use."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from questpath.auth.models import User
from questpath.db import transaction
from questpath.verify import repair
from questpath.xapi.agents import ifi
from questpath.xapi.identities import address_ifis, resolve
from tests.auth.test_authentication import create_key
from tests.helpers import (
    PASSWORD,
    Account,
    assert_problem,
    create_admin_account,
    projection_differences,
    read_json,
    register_account,
)

URL = "/api/xapi/identities"
LMS = {"account": {"homePage": "https://lms.example.com", "name": "alice 01"}}
LMS_IFI = "account:https://lms.example.com alice 01"


async def who(app: FastAPI, *ifis: str) -> dict[str, uuid.UUID]:
    async with transaction(app.state.sessionmaker) as session:
        return await resolve(session, ifis)


async def link(
    client: httpx.AsyncClient, account: Account, body: dict[str, Any], query: str = ""
) -> httpx.Response:
    return await client.post(URL + query, json=body, headers=account.headers)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324


# Resolving --------------------------------------------------------------------------------------


async def test_a_learner_is_recognised_by_their_own_address_in_any_case(
    app: FastAPI, learner: Account, other_learner: Account
) -> None:
    mbox, digest = address_ifis(learner.email)
    shouted = "mbox:MAILTO:" + learner.email.upper()
    others = address_ifis(other_learner.email)[0]
    found = await who(app, mbox, digest, shouted, digest.upper(), others)
    assert found == {
        mbox: uuid.UUID(learner.id),
        digest: uuid.UUID(learner.id),
        shouted: uuid.UUID(learner.id),
        digest.upper(): uuid.UUID(learner.id),
        others: uuid.UUID(other_learner.id),
    }


async def test_an_identity_nobody_has_names_nobody(app: FastAPI, learner: Account) -> None:
    nobody = ("mbox:mailto:nobody@example.com", "mbox_sha1sum:" + "0" * 40, "openid:http://x.org/a")
    assert await who(app, *nobody) == {}
    assert await who(app) == {}


async def test_a_linked_account_names_its_learner(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    linked = await link(client, learner, LMS)
    assert linked.status_code == 201, linked.text
    assert ifi(LMS) == LMS_IFI
    assert await who(app, LMS_IFI) == {LMS_IFI: uuid.UUID(learner.id)}
    assert await who(app, "account:https://lms.example.com alice 02") == {}


async def test_each_kind_of_identity_can_be_linked_and_found(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    bodies = [
        {"mbox": "mailto:Alice.Work@Example.com"},
        {"mbox_sha1sum": sha1("mailto:alice@home.example").upper()},
        {"openid": "https://alice.example.org/"},
        LMS,
    ]
    for body in bodies:
        response = await link(client, learner, body)
        assert response.status_code == 201, response.text
        assert response.json()["implicit"] is False
    agents = [
        {"mbox": "mailto:alice.work@example.com"},
        {"mbox_sha1sum": sha1("mailto:alice@home.example")},
        {"openid": "https://alice.example.org/"},
        LMS,
    ]
    ifis = [found for agent in agents if (found := ifi(agent)) is not None]
    assert await who(app, *ifis) == dict.fromkeys(ifis, uuid.UUID(learner.id))


async def test_disabled_accounts_and_those_waiting_for_deletion_are_nobody(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    assert (await link(client, learner, LMS)).status_code == 201
    admin = await create_admin_account(client, app)
    disabled = await client.patch(
        f"/api/admin/users/{learner.id}", json={"disabled": True}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.text
    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=other_learner.headers
    )
    assert asked.status_code == 202, asked.text

    ifis = (LMS_IFI, *address_ifis(learner.email), *address_ifis(other_learner.email))
    assert await who(app, *ifis) == {}


async def test_a_learner_s_own_address_wins_over_a_link_made_before_they_signed_up(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    assert (await link(client, learner, {"mbox": "mailto:late@example.com"})).status_code == 201
    late = await register_account(client, "late@example.com")
    mbox = "mbox:mailto:late@example.com"
    assert await who(app, mbox) == {mbox: uuid.UUID(late.id)}


# The API ----------------------------------------------------------------------------------------


async def test_the_list_shows_the_own_address_implicitly_then_the_links(
    client: httpx.AsyncClient, learner: Account
) -> None:
    assert (await link(client, learner, LMS)).status_code == 201
    assert (await link(client, learner, {"openid": "https://a.example.org/"})).status_code == 201
    items = (await read_json(client, URL, learner.headers))["items"]
    shown = [
        {key: value for key, value in item.items() if value is not None and key != "created_at"}
        for item in items
    ]
    assert [(item["implicit"], "id" in item) for item in shown] == [
        (True, False),
        (True, False),
        (False, True),
        (False, True),
    ]
    assert shown[0]["mbox"] == f"mailto:{learner.email}"
    assert shown[1]["mbox_sha1sum"] == sha1(f"mailto:{learner.email}")
    assert shown[2]["account"] == LMS["account"]
    assert shown[3]["openid"] == "https://a.example.org/"
    assert items[2]["created_at"] is not None


async def test_linking_again_answers_the_same_link(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = await link(client, learner, LMS)
    again = await link(client, learner, LMS)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


async def test_an_identity_another_learner_has_is_refused_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    assert (await link(client, learner, LMS)).status_code == 201
    taken = assert_problem(await link(client, other_learner, LMS), 409)
    assert taken["errors"][0]["field"] == "account"
    address = assert_problem(
        await link(client, other_learner, {"mbox": f"mailto:{learner.email.upper()}"}), 409
    )
    assert address["errors"][0]["field"] == "mbox"
    digest = sha1(f"mailto:{learner.email}")
    hashed = assert_problem(await link(client, other_learner, {"mbox_sha1sum": digest}), 409)
    assert hashed["errors"][0]["field"] == "mbox_sha1sum"
    assert await who(app, LMS_IFI) == {LMS_IFI: uuid.UUID(learner.id)}


async def test_the_own_address_needs_no_link(client: httpx.AsyncClient, learner: Account) -> None:
    own = assert_problem(await link(client, learner, {"mbox": f"mailto:{learner.email}"}), 409)
    assert "own e-mail address" in own["detail"]


async def test_a_body_must_give_exactly_one_identifier(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for body in (
        {},
        {"mbox": "mailto:a@example.com", "openid": "https://a.example.org/"},
        {"mbox": "a@example.com"},
        {"mbox_sha1sum": "abc"},
        {"account": {"homePage": "not a url", "name": "a"}},
        {"account": {"homePage": "https://lms.example.com", "name": "a\nb"}},
        {"openid": "https://a.example.org/", "extra": 1},
    ):
        assert_problem(await link(client, learner, body), 422)
    assert len((await read_json(client, URL, learner.headers))["items"]) == 2


async def test_unlinking_forgets_the_identity(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    identity_id = (await link(client, learner, LMS)).json()["id"]
    assert_problem(await client.delete(f"{URL}/{identity_id}", headers=other_learner.headers), 404)
    deleted = await client.delete(f"{URL}/{identity_id}", headers=learner.headers)
    assert deleted.status_code == 204, deleted.text
    assert await who(app, LMS_IFI) == {}
    assert_problem(await client.delete(f"{URL}/{identity_id}", headers=learner.headers), 404)
    assert (await link(client, other_learner, LMS)).status_code == 201  # free for another


async def test_an_admin_manages_a_learner_s_identities(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    admin = await create_admin_account(client, app)
    mine = f"?user_id={learner.id}"
    linked = await link(client, admin, LMS, mine)
    assert linked.status_code == 201, linked.text
    assert await who(app, LMS_IFI) == {LMS_IFI: uuid.UUID(learner.id)}
    listed = await read_json(client, URL, admin.headers, user_id=learner.id)
    assert listed["items"][0]["mbox"] == f"mailto:{learner.email}"
    assert [item["id"] for item in listed["items"][2:]] == [linked.json()["id"]]
    removed = await client.delete(f"{URL}/{linked.json()['id']}{mine}", headers=admin.headers)
    assert removed.status_code == 204, removed.text
    assert await who(app, LMS_IFI) == {}
    assert_problem(await client.get(f"{URL}?user_id={uuid.uuid4()}", headers=admin.headers), 404)


async def test_a_learner_cannot_reach_another_s_identities(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    other = f"?user_id={other_learner.id}"
    assert_problem(await client.get(URL + other, headers=learner.headers), 403)
    assert_problem(await link(client, learner, LMS, other), 403)
    assert_problem(
        await client.delete(f"{URL}/{uuid.uuid4()}{other}", headers=learner.headers), 403
    )


async def test_keys_need_profile_scopes(client: httpx.AsyncClient, learner: Account) -> None:
    reader = {"Authorization": f"Bearer {await create_key(client, learner, ['profile:read'])}"}
    assert (await client.get(URL, headers=reader)).status_code == 200
    assert_problem(await client.post(URL, json=LMS, headers=reader), 403)


async def test_verify_finds_an_address_hash_out_of_step_and_repair_restores_it(
    app: FastAPI, learner: Account
) -> None:
    _, digest = address_ifis(learner.email)
    async with transaction(app.state.sessionmaker) as session:
        await session.execute(
            update(User).where(User.id == uuid.UUID(learner.id)).values(email_sha1="0" * 40)
        )
    assert await who(app, digest) == {}

    found = await projection_differences(app, learner)
    async with transaction(app.state.sessionmaker) as session:
        user = await session.get(User, uuid.UUID(learner.id))
        assert user is not None
        await repair(session, user, app.state.ruleset, datetime.now(UTC))

    assert [(d.table, d.field, d.stored) for d in found] == [("users", "email_sha1", "0" * 40)]
    assert await projection_differences(app, learner) == []
    assert await who(app, digest) == {digest: uuid.UUID(learner.id)}
