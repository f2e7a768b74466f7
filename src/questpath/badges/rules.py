"""Open Badges documents as JSON-LD: the issuer, a badge class per achievement, hosted
assertions and their Open Badges 3.0 form. No database, no clock: the caller passes the URLs
and the dates.

The 2.0 shapes follow https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/ (hosted
verification: an assertion's `id` is its own URL, where it can be fetched again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
JSON_LD = "application/ld+json"


@dataclass(frozen=True)
class BadgeUrls:
    """Where this server hosts its Open Badges documents, from its public URL."""

    base: str

    @property
    def issuer(self) -> str:
        return f"{self.base}/badges/issuer"

    def badge_class(self, achievement_id: str) -> str:
        return f"{self.base}/badges/classes/{achievement_id}"

    def badge_image(self, achievement_id: str) -> str:
        return f"{self.badge_class(achievement_id)}/image"

    def assertion(self, assertion_id: str) -> str:
        return f"{self.base}/badges/assertions/{assertion_id}"

    def baked_image(self, assertion_id: str) -> str:
        return f"{self.assertion(assertion_id)}/image"


@dataclass(frozen=True)
class BadgeFacts:
    """What a badge class says of an achievement."""

    id: str
    name: str
    description: str
    criteria: str


@dataclass(frozen=True)
class AssertionFacts:
    id: str
    achievement_id: str
    salt: str
    identity: str
    issued_on: datetime


def recipient_identity(email: str, salt: str) -> str:
    """The hashed recipient identity of Open Badges: sha256 of the address and the salt.

    Backpacks hash the address their owner verified the same way, so the address is compared
    case-insensitively as they do: lower-cased and stripped."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


def iso(moment: datetime) -> str:
    """An ISO 8601 UTC timestamp with a Z, as the 2.0 DateTime type wants."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_document(urls: BadgeUrls, name: str) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": urls.issuer,
        "name": name,
        "url": urls.base,
    }


def badge_class_document(urls: BadgeUrls, badge: BadgeFacts) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": urls.badge_class(badge.id),
        "name": badge.name,
        "description": badge.description,
        "image": urls.badge_image(badge.id),
        "criteria": {"narrative": badge.criteria},
        "issuer": urls.issuer,
    }


def assertion_document(urls: BadgeUrls, facts: AssertionFacts) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(facts.id),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": facts.salt,
            "identity": facts.identity,
        },
        "badge": urls.badge_class(facts.achievement_id),
        "issuedOn": iso(facts.issued_on),
        "image": urls.baked_image(facts.id),
        "verification": {"type": "hosted"},
    }


def revoked_document(urls: BadgeUrls, assertion_id: str) -> dict[str, Any]:
    """What a revoked hosted assertion answers (with 410 Gone), as the 2.0 spec describes."""
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(assertion_id),
        "revoked": True,
        "revocationReason": "Revoked by its recipient.",
    }


def ob3_credential(
    urls: BadgeUrls, issuer_name: str, badge: BadgeFacts, facts: AssertionFacts
) -> dict[str, Any]:
    """The assertion as an Open Badges 3.0 OpenBadgeCredential, unsigned: it carries no proof,
    so a verifier trusts it by fetching the hosted 2.0 assertion it names as its `id`."""
    return {
        "@context": list(OB3_CONTEXTS),
        "id": urls.assertion(facts.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": urls.issuer,
            "type": ["Profile"],
            "name": issuer_name,
            "url": urls.base,
        },
        "validFrom": iso(facts.issued_on),
        "name": badge.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": facts.identity,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": facts.salt,
                }
            ],
            "achievement": {
                "id": urls.badge_class(badge.id),
                "type": ["Achievement"],
                "name": badge.name,
                "description": badge.description,
                "criteria": {"narrative": badge.criteria},
                "image": {"id": urls.badge_image(badge.id), "type": "Image"},
            },
        },
    }
