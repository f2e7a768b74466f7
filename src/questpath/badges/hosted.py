"""The public Open Badges 2.0 documents: the issuer, badge classes with their images, and the
hosted assertions with their baked images. Anyone may fetch them: validators and backpacks do."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from questpath.badges import rules, service
from questpath.badges.rules import BadgeUrls
from questpath.dependencies import RulesetDep, SessionDep, SettingsDep

router = APIRouter(prefix="/badges", include_in_schema=False)

CACHE = {"Cache-Control": "public, max-age=300"}


def _json_ld(request: Request, document: dict[str, Any], status_code: int = 200) -> Response:
    """JSON-LD to those who ask for it, plain JSON (the same document) to the others."""
    accept = request.headers.get("accept", "")
    media_type = rules.JSON_LD if rules.JSON_LD in accept else "application/json"
    return Response(json.dumps(document), status_code, media_type=media_type)


@router.get("/issuer")
async def issuer(request: Request, settings: SettingsDep) -> Response:
    urls = BadgeUrls(settings.public_url)
    return _json_ld(request, rules.issuer_document(urls, settings.badge_issuer_name))


@router.get("/classes/{achievement_id}")
async def badge_class(
    achievement_id: str, request: Request, ruleset: RulesetDep, settings: SettingsDep
) -> Response:
    urls = BadgeUrls(settings.public_url)
    return _json_ld(request, service.badge_class(ruleset, achievement_id, urls))


@router.get("/classes/{achievement_id}/image")
async def badge_image(achievement_id: str, ruleset: RulesetDep) -> Response:
    png = await service.badge_image(ruleset, achievement_id)
    return Response(png, media_type="image/png", headers=CACHE)


@router.get("/assertions/{assertion_id:uuid}")
async def assertion(
    assertion_id: uuid.UUID, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The hosted assertion; 410 Gone with `revoked: true` once revoked."""
    urls = BadgeUrls(settings.public_url)
    document, revoked = await service.hosted_assertion(session, assertion_id, urls)
    return _json_ld(request, document, 410 if revoked else 200)


@router.get("/assertions/{assertion_id:uuid}/image")
async def baked_image(
    assertion_id: uuid.UUID, session: SessionDep, ruleset: RulesetDep, settings: SettingsDep
) -> Response:
    urls = BadgeUrls(settings.public_url)
    png = await service.baked_image(session, assertion_id, ruleset, urls)
    return Response(png, media_type="image/png")
