"""The badges API and the hosted Open Badges documents on both databases: publishing unlocked
achievements, the public assertion, class, issuer and images, revoking, and publishing every
achievement as it unlocks."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
from fastapi import FastAPI

from questpath.badges.image import unbaked_assertion
from tests.helpers import (
    Account,
    assert_problem,
    field_errors,
    projection_differences,
    read_json,
    record_events,
)

BASE = "http://127.0.0.1:8000"  # the default QUESTPATH_PUBLIC_URL
PNG = b"\x89PNG\r\n\x1a\n"


def exercise(event_id: str = "ex-1") -> dict[str, Any]:
    return {"id": event_id, "kind": "exercise_completed", "topic": "python", "grade": 90}


async def publish(
    client: httpx.AsyncClient, account: Account, achievement: str = "first-exercise"
) -> httpx.Response:
    return await client.post(
        "/api/badges", json={"achievement": achievement}, headers=account.headers
    )


async def published(
    client: httpx.AsyncClient, account: Account, achievement: str = "first-exercise"
) -> dict[str, Any]:
    response = await publish(client, account, achievement)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def hosted_path(url: str) -> str:
    assert url.startswith(BASE)
    return url.removeprefix(BASE)


async def stranger_get(app: FastAPI, path: str, **headers: str) -> httpx.Response:
    """`path` fetched by a visitor with no account, as a validator or a backpack does."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        return await stranger.get(path, headers=headers)


async def test_nothing_is_published_until_the_learner_publishes_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])

    settings = await read_json(client, "/api/badges/settings", learner.headers)
    listing = await read_json(client, "/api/badges", learner.headers)

    assert settings == {"publish_all": False}
    assert listing == {"badges": []}


async def test_only_an_unlocked_achievement_can_be_published(
    client: httpx.AsyncClient, learner: Account
) -> None:
    locked = await publish(client, learner, "first-exercise")
    unknown = await publish(client, learner, "no-such-thing")

    assert_problem(locked, 422)
    assert "not unlocked" in field_errors(locked)["achievement"]
    assert_problem(unknown, 422)
    assert "no achievement" in field_errors(unknown)["achievement"]


async def test_a_published_badge_is_a_hosted_assertion_for_the_learners_hashed_address(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])

    badge = await published(client, learner)
    response = await stranger_get(app, hosted_path(badge["url"]), accept="application/ld+json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assertion = response.json()
    recipient = assertion["recipient"]
    digest = hashlib.sha256((learner.email + recipient["salt"]).encode()).hexdigest()
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == badge["url"] == f"{BASE}/badges/assertions/{badge['id']}"
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["badge"] == f"{BASE}/badges/classes/first-exercise"
    assert recipient == {
        "type": "email",
        "hashed": True,
        "salt": recipient["salt"],
        "identity": f"sha256${digest}",
    }
    assert learner.email not in response.text
    assert (badge["achievement"], badge["name"], badge["revoked"]) == (
        "first-exercise",
        "First Steps",
        False,
    )


async def test_the_badge_class_and_issuer_are_public_json_ld(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    badge_class = await stranger_get(app, "/badges/classes/first-exercise")
    issuer = await stranger_get(app, "/badges/issuer", accept="application/ld+json")
    image = await stranger_get(app, "/badges/classes/first-exercise/image")
    unknown = await stranger_get(app, "/badges/classes/no-such-thing")

    assert badge_class.headers["content-type"] == "application/json"
    assert badge_class.json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": f"{BASE}/badges/classes/first-exercise",
        "name": "First Steps",
        "description": "Complete your first exercise.",
        "image": f"{BASE}/badges/classes/first-exercise/image",
        "criteria": {
            "narrative": "Unlocked the QuestPath achievement 'First Steps': "
            "Complete your first exercise."
        },
        "issuer": f"{BASE}/badges/issuer",
    }
    assert issuer.json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{BASE}/badges/issuer",
        "name": "QuestPath",
        "url": BASE,
    }
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(PNG)
    assert unbaked_assertion(image.content) is None
    assert_problem(unknown, 404)


async def test_the_badge_image_carries_the_assertion_baked_in(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])
    badge = await published(client, learner)

    image = await stranger_get(app, hosted_path(badge["image_url"]))
    assertion = await stranger_get(app, hosted_path(badge["url"]))

    assert image.headers["content-type"] == "image/png"
    baked = unbaked_assertion(image.content)
    assert baked is not None
    assert json.loads(baked) == assertion.json()


async def test_publishing_again_answers_the_badge_published_already(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])
    first = await published(client, learner)

    again = await publish(client, learner)
    listing = await read_json(client, "/api/badges", learner.headers)

    assert again.status_code == 200
    assert again.json() == first
    assert listing == {"badges": [first]}


async def test_a_revoked_badge_answers_410_gone_and_can_be_published_anew(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])
    badge = await published(client, learner)

    revoked = await client.delete(f"/api/badges/{badge['id']}", headers=learner.headers)
    again = await client.delete(f"/api/badges/{badge['id']}", headers=learner.headers)
    hosted = await stranger_get(app, hosted_path(badge["url"]))
    image = await stranger_get(app, hosted_path(badge["image_url"]))
    ob3 = await client.get(f"/api/badges/{badge['id']}/ob3", headers=learner.headers)
    renewed = await published(client, learner)
    listing = await read_json(client, "/api/badges", learner.headers)

    assert (revoked.status_code, again.status_code) == (204, 204)
    assert hosted.status_code == 410
    assert hosted.json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": badge["url"],
        "revoked": True,
        "revocationReason": "Revoked by its recipient.",
    }
    assert_problem(image, 404)
    assert_problem(ob3, 404)
    assert renewed["id"] != badge["id"]
    assert [(b["id"], b["revoked"]) for b in listing["badges"]] == [
        (renewed["id"], False),
        (badge["id"], True),
    ]


async def test_nobody_else_can_read_or_revoke_a_learners_badge(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])
    badge = await published(client, learner)

    read = await client.get(f"/api/badges/{badge['id']}", headers=other_learner.headers)
    revoke = await client.delete(f"/api/badges/{badge['id']}", headers=other_learner.headers)
    own = await read_json(client, f"/api/badges/{badge['id']}", learner.headers)

    assert_problem(read, 404)
    assert_problem(revoke, 404)
    assert own == badge


async def test_an_unknown_assertion_answers_404(app: FastAPI) -> None:
    response = await stranger_get(app, "/badges/assertions/00000000-0000-4000-8000-000000000000")
    malformed = await stranger_get(app, "/badges/assertions/not-an-id")

    assert_problem(response, 404)
    assert_problem(malformed, 404)


async def test_publish_all_publishes_what_is_unlocked_and_each_new_unlock(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise("ex-0")])
    turned_on = await client.put(
        "/api/badges/settings", json={"publish_all": True}, headers=learner.headers
    )
    first = await read_json(client, "/api/badges", learner.headers)

    await record_events(client, learner.headers, [exercise(f"ex-{n}") for n in range(1, 10)])
    after = await read_json(client, "/api/badges", learner.headers)

    assert turned_on.json() == {"publish_all": True}
    assert [b["achievement"] for b in first["badges"]] == ["first-exercise"]
    assert {b["achievement"] for b in after["badges"]} == {"first-exercise", "exercises-10"}
    assert await projection_differences(app, learner) == []


async def test_turning_publish_all_off_publishes_no_new_ones_and_keeps_the_published(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise("ex-0")])
    for on in (True, False):
        response = await client.put(
            "/api/badges/settings", json={"publish_all": on}, headers=learner.headers
        )
        assert response.status_code == 200, response.text

    await record_events(client, learner.headers, [exercise(f"ex-{n}") for n in range(1, 10)])
    listing = await read_json(client, "/api/badges", learner.headers)

    assert [(b["achievement"], b["revoked"]) for b in listing["badges"]] == [
        ("first-exercise", False)
    ]
    assert await read_json(client, "/api/badges/settings", learner.headers) == {
        "publish_all": False
    }


async def test_voiding_the_event_that_unlocked_a_badge_leaves_it_valid(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    # A void never takes an unlocked achievement back, so its badge stays true.
    await record_events(client, learner.headers, [exercise()])
    badge = await published(client, learner)

    voided = await client.post("/api/events/ex-1/void", headers=learner.headers)
    hosted = await stranger_get(app, hosted_path(badge["url"]))

    assert voided.json()["voided_by"], voided.text
    assert hosted.status_code == 200
    assert hosted.json()["id"] == badge["url"]
    assert await projection_differences(app, learner) == []


async def test_bad_bodies_name_the_field(client: httpx.AsyncClient, learner: Account) -> None:
    settings = await client.put(
        "/api/badges/settings", json={"publish_all": "yes"}, headers=learner.headers
    )
    badge = await client.post("/api/badges", json={}, headers=learner.headers)

    assert_problem(settings, 422)
    assert "publish_all" in field_errors(settings)
    assert_problem(badge, 422)
    assert "achievement" in field_errors(badge)


async def test_the_ob3_form_is_an_open_badge_credential_of_the_same_achievement(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])
    badge = await published(client, learner)

    credential = await read_json(client, f"/api/badges/{badge['id']}/ob3", learner.headers)

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == badge["url"]
    assert credential["issuer"]["id"] == f"{BASE}/badges/issuer"
    subject = credential["credentialSubject"]
    assert subject["achievement"]["id"] == f"{BASE}/badges/classes/first-exercise"
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert "proof" not in credential
