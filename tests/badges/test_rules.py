"""The Open Badges documents as pure functions: hosted ids that round-trip, the recipient hash
that backpacks recompute, and the 2.0 fields each class requires."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import png
from hypothesis import given
from hypothesis import strategies as st

from questpath.badges import image, rules
from questpath.badges.rules import AssertionFacts, BadgeFacts, BadgeUrls

URLS = BadgeUrls("https://learn.example.org")
BADGE = BadgeFacts("first-exercise", "First Steps", "Complete one.", "Unlocked it.")
FACTS = AssertionFacts(
    id="6f1c0b7e-3a52-4d0c-9a8e-2f1f4b1b2a11",
    achievement_id="first-exercise",
    salt="0123abcd",
    identity=rules.recipient_identity("ada@example.org", "0123abcd"),
    issued_on=datetime(2026, 12, 3, 18, 5, 9, 123456, tzinfo=UTC),
)


@given(
    local=st.from_regex(r"[a-z0-9._%+-]{1,20}", fullmatch=True),
    salt=st.text(alphabet="0123456789abcdef", min_size=0, max_size=32),
)
def test_the_recipient_identity_is_the_sha256_of_the_address_and_salt(
    local: str, salt: str
) -> None:
    email = f"{local}@example.org"

    identity = rules.recipient_identity(email, salt)

    assert identity == "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
    assert rules.recipient_identity(f"  {email.upper()} ", salt) == identity
    assert email not in identity


def test_an_assertion_is_hosted_at_its_own_id_and_names_its_badge_class() -> None:
    assertion = rules.assertion_document(URLS, FACTS)

    assert assertion["@context"] == rules.OB2_CONTEXT
    assert assertion["id"] == URLS.assertion(FACTS.id)
    assert assertion["id"] == f"https://learn.example.org/badges/assertions/{FACTS.id}"
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["badge"] == URLS.badge_class("first-exercise")
    assert assertion["issuedOn"] == "2026-12-03T18:05:09Z"
    assert assertion["image"] == f"{assertion['id']}/image"
    assert assertion["recipient"]["identity"] == FACTS.identity


def test_every_document_carries_the_fields_open_badges_2_requires() -> None:
    required = {
        "Assertion": {"id", "type", "recipient", "badge", "verification", "issuedOn"},
        "BadgeClass": {"id", "type", "name", "description", "image", "criteria", "issuer"},
        "Issuer": {"id", "type", "name", "url"},
    }
    documents = [
        rules.assertion_document(URLS, FACTS),
        rules.badge_class_document(URLS, BADGE),
        rules.issuer_document(URLS, "QuestPath"),
    ]

    for document in documents:
        assert required[document["type"]] <= document.keys()
        assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert documents[1]["issuer"] == documents[2]["id"]


def test_a_revoked_assertion_says_so_at_the_same_id() -> None:
    revoked = rules.revoked_document(URLS, FACTS.id)

    assert revoked["id"] == URLS.assertion(FACTS.id)
    assert revoked["revoked"] is True
    assert revoked["revocationReason"]
    assert "recipient" not in revoked


def test_the_ob3_credential_is_unsigned_and_points_at_the_hosted_assertion() -> None:
    credential = rules.ob3_credential(URLS, "QuestPath", BADGE, FACTS)

    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["id"] == URLS.assertion(FACTS.id)
    assert credential["validFrom"] == "2026-12-03T18:05:09Z"
    assert credential["credentialSubject"]["achievement"]["name"] == "First Steps"
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == FACTS.identity
    assert "proof" not in credential


def test_the_medal_is_a_256_pixel_png_in_its_categorys_colour() -> None:
    medal = image.medal_png("exercises")

    width, height, rows, info = png.Reader(file=io.BytesIO(medal)).asRGBA8()
    pixels = [list(row) for row in rows]
    centre_left = pixels[128][4 * 40 : 4 * 40 + 4]  # inside the fill, left of the star

    assert (width, height, info["alpha"]) == (256, 256, True)
    assert pixels[0][:4] == [0, 0, 0, 0]  # a transparent corner
    assert centre_left == [*image.colour_of("exercises"), 255]
    assert image.medal_png("exercises") is medal  # drawn once


def test_baking_puts_the_assertion_in_the_image_and_baking_again_replaces_it() -> None:
    medal = image.medal_png("streaks")

    once = image.baked_png(medal, '{"id": "a"}')
    twice = image.baked_png(once, '{"id": "b"}')

    assert image.unbaked_assertion(medal) is None
    assert image.unbaked_assertion(once) == '{"id": "a"}'
    assert image.unbaked_assertion(twice) == '{"id": "b"}'
    assert png.Reader(file=io.BytesIO(twice)).asRGBA8()[:2] == (256, 256)
