"""The webhooks settings page: subscribe (the secret shown once), see recent deliveries,
redeliver, enable again, delete. Plain forms: it works without JavaScript."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from questpath.auth.dependencies import SignedIn
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep
from questpath.problems import Problem
from questpath.progress.signals import SIGNAL_TYPES
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render
from questpath.webhooks import service
from questpath.webhooks.routes import ResolverDep
from questpath.webhooks.schemas import WebhookCreate, WebhookCreated, WebhookUpdate

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
PAGE = "/settings/webhooks"
RECENT = 5


async def _page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    *,
    created: WebhookCreated | None = None,
    errors: forms.Errors | None = None,
    values: Mapping[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    hooks = await service.list_of(session, principal)
    recent = {h.id: await service.deliveries(session, principal, h.id, RECENT) for h in hooks}
    return render(
        request,
        "webhooks/settings.html",
        {
            "nav": "/settings",
            "hooks": hooks,
            "recent": recent,
            "created": created,
            "signal_types": SIGNAL_TYPES,
            "errors": errors or {},
            "shown": values or {"url": "", "event_types": []},
            "all_learners": principal.is_admin,
        },
        status_code=status_code,
    )


@router.get(PAGE)
async def webhooks_page(request: Request, principal: SignedIn, session: SessionDep) -> Response:
    return await _page(request, principal, session)


@router.post(PAGE)
async def create_webhook(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    resolver: ResolverDep,
    now: Now,
) -> Response:
    posted = await forms.parse(request)
    data = {
        "url": str(posted.get("url") or "").strip(),
        "event_types": [str(t) for t in posted.getlist("event_types")],
    }
    try:
        body = WebhookCreate.model_validate(data)
        created = await service.create(
            session,
            principal,
            body,
            now,
            allow_private=settings.webhooks_allow_private,
            resolver=resolver,
        )
    except ValidationError as exc:
        errors = {str(e["loc"][0]): _message(e["msg"], e["type"]) for e in exc.errors()}
    except Problem as problem:
        errors = forms.problem_errors(problem)
    else:
        return await _page(request, principal, session, created=created)
    return await _page(request, principal, session, errors=errors, values=data, status_code=422)


def _message(message: str, kind: str) -> str:
    if kind == "too_short":
        return "tick at least one"
    return message.removeprefix("Value error, ")


@router.post(PAGE + "/{webhook_id}/delete")
async def delete_webhook(
    request: Request, webhook_id: uuid.UUID, principal: SignedIn, session: SessionDep
) -> Response:
    await service.delete(session, principal, webhook_id)
    add_toast(request, Toast("success", "Webhook deleted."))
    return redirect(request, PAGE)


@router.post(PAGE + "/{webhook_id}/enable")
async def enable_webhook(
    request: Request,
    webhook_id: uuid.UUID,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    resolver: ResolverDep,
    now: Now,
) -> Response:
    await service.update(
        session,
        principal,
        webhook_id,
        WebhookUpdate(enabled=True),
        now,
        allow_private=settings.webhooks_allow_private,
        resolver=resolver,
    )
    add_toast(request, Toast("success", "Webhook enabled: pending deliveries resume."))
    return redirect(request, PAGE)


@router.post(PAGE + "/{webhook_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    request: Request,
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: SignedIn,
    session: SessionDep,
    now: Now,
) -> Response:
    try:
        await service.redeliver(session, principal, webhook_id, delivery_id, now)
    except Problem as problem:
        if problem.status != 409:
            raise
        add_toast(request, Toast("error", problem.detail))
    else:
        add_toast(request, Toast("success", "The delivery will be sent again within seconds."))
    return redirect(request, PAGE)
