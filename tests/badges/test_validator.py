"""Published badges pass the IMS Open Badges 2.0 validator (the `openbadges` package), offline:
the assertion, badge class, issuer and images come from `questpath serve` on loopback, and the
JSON-LD context from the copy the validator ships."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response

from tests.helpers import PASSWORD
from tests.servers import Server

# The validator's Python 2 compatibility layer imports `imp`, and language-tags leaves a file open.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", ResourceWarning)
    from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT
    from openbadges.verifier.utils import CachableDocumentLoader
    from openbadges.verifier.verifier import generate_report, verification_store

CONTEXT_URL = "https://w3id.org/openbadges/v2"


class ShippedContext(BaseAdapter):
    """Answers the Open Badges context with the validator's own copy, and refuses every other
    address outside loopback, so that the test never reaches the network."""

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        response = Response()
        response.request, response.url = request, request.url
        if request.url != CONTEXT_URL:
            raise requests.ConnectionError(f"no network in tests: {request.url}")
        response.status_code = 200
        response.headers["Content-Type"] = "application/ld+json"
        response._content = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode()
        return response

    def close(self) -> None:
        pass


def validate(badge_input: Any, recipient: str) -> dict[str, Any]:
    session = requests.Session()
    session.mount("https://", ShippedContext())
    options: dict[str, Any] = {
        "include_original_json": False,
        "use_cache": False,
        "jsonld_options": {"documentLoader": CachableDocumentLoader(session=session)},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        store = verification_store(badge_input, {"email": recipient}, options=options)
        report: dict[str, Any] = generate_report(store, options)
    return report


def published_badge(server: Server) -> tuple[dict[str, Any], str]:
    email = "ada@example.org"
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        registered = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
        exercise = {"kind": "exercise_completed", "topic": "python", "grade": 90}
        assert client.post("/api/events", json=exercise, headers=headers).status_code == 201
        response = client.post(
            "/api/badges", json={"achievement": "first-exercise"}, headers=headers
        )
        assert response.status_code == 201, response.text
        badge: dict[str, Any] = response.json()
    return badge, email


def errors(report: Mapping[str, Any]) -> list[str]:
    return [m["result"] for m in report["report"]["messages"] if m["messageLevel"] == "ERROR"]


def test_a_hosted_assertion_passes_the_open_badges_validator(
    serve: Callable[..., Server], migrated_url: str
) -> None:
    server = serve(migrated_url)
    badge, email = published_badge(server)

    report = validate(badge["url"], email)

    assert errors(report) == []
    assert report["report"]["valid"] is True
    assert report["report"]["openBadgesVersion"] == "2.0"
    assert report["report"]["recipientProfile"] == {"email": email}
    graph = {node["id"]: node for node in report["graph"]}
    assert graph[badge["url"]]["type"] == "Assertion"
    assert graph[f"{server.base_url}/badges/classes/first-exercise"]["type"] == "BadgeClass"
    assert graph[f"{server.base_url}/badges/issuer"]["type"] == "Issuer"


def test_the_baked_image_passes_the_validator_and_a_revoked_badge_does_not(
    serve: Callable[..., Server], migrated_url: str
) -> None:
    server = serve(migrated_url)
    badge, email = published_badge(server)
    image = httpx.get(badge["image_url"], timeout=30)
    baked = io.BytesIO(image.content)
    baked.name = "badge.png"

    from_image = validate(baked, email)
    someone_else = validate(badge["url"], "eve@example.org")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert client.delete(f"/api/badges/{badge['id']}", headers=headers).status_code == 204
    revoked = validate(badge["url"], email)

    assert errors(from_image) == []
    assert from_image["report"]["valid"] is True
    assert someone_else["report"]["valid"] is False
    assert revoked["report"]["valid"] is False
