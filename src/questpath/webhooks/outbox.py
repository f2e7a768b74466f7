"""Writing deliveries into the outbox, in the recorder's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.progress.signals import Signal
from questpath.webhooks import repository as repo
from questpath.webhooks.rules import RETRY_WINDOW, payload


async def enqueue(session: AsyncSession, signals: Sequence[Signal], now: datetime) -> int:
    """One delivery for each signal and each enabled subscription that hears it; returns how
    many. One query for the subscriptions, one insert for the deliveries."""
    if not signals:
        return 0
    subscriptions = await repo.listening(session, {s.user_id for s in signals})
    rows: list[dict[str, Any]] = []
    for subscription_id, owner, all_learners, event_types in subscriptions:
        for signal in signals:
            if signal.type in event_types and (all_learners or signal.user_id == owner):
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "subscription_id": subscription_id,
                        "user_id": signal.user_id,
                        "event_type": signal.type,
                        "payload": payload(signal),
                        "created_at": now,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "retry_until": now + RETRY_WINDOW,
                        "retries": True,
                    }
                )
    await repo.add_deliveries(session, rows)
    return len(rows)
