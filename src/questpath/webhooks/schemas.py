"""Request and response bodies of webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from questpath.fields import Flag
from questpath.progress.signals import SignalType
from questpath.webhooks.rules import MAX_URL_LENGTH

MAX_DELIVERIES = 100
EventTypes = list[SignalType]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=MAX_URL_LENGTH,
        description="an http(s) URL; its host must resolve to public addresses unless the "
        "server allows private ones (QUESTPATH_WEBHOOKS_ALLOW_PRIVATE)",
    )
    event_types: EventTypes = Field(min_length=1, description="the signals to deliver")


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=MAX_URL_LENGTH)
    event_types: EventTypes | None = Field(None, min_length=1)
    enabled: Flag | None = Field(
        None, description="true enables a disabled webhook again: pending deliveries resume"
    )


class WebhookRead(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    all_learners: bool = Field(
        description="made by an admin who still is one: receives every learner's signals; "
        "else the owner's own"
    )
    enabled: bool
    disabled_at: datetime | None = Field(description="when deliveries stopped, if they did")
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="the signing secret (whsec_…); shown only now: keep it to verify deliveries"
    )


class AttemptRead(BaseModel):
    attempted_at: datetime
    status_code: int | None = Field(description="the endpoint's HTTP status, if it answered")
    error: str | None = Field(description="why no answer came (timeout, refused address, …)")
    duration_ms: int


class DeliveryRead(BaseModel):
    id: uuid.UUID
    message_id: str = Field(description="the webhook-id header: the same on every attempt")
    event_type: str
    user_id: uuid.UUID = Field(description="the learner the signal is about")
    status: Literal["pending", "delivered", "failed"]
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="when it is tried again, if pending")
    delivered_at: datetime | None
    payload: dict[str, Any] = Field(description="the body sent, fixed when the signal happened")
    attempts: list[AttemptRead]
