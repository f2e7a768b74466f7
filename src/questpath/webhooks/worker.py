"""The delivery worker: run by every server process, it sends what the outbox holds.

Each round claims the due deliveries (a lease, plus SKIP LOCKED on PostgreSQL, so processes
sharing a database never send one delivery at once), sends them outside any transaction, and
records each attempt. A process killed mid-round leaves leases that run out, and the
deliveries are sent again: at least once, never lost. A subscription whose delivery runs out
of retries while nothing reached its endpoint since the delivery was made is disabled, and its
owner told by e-mail when mail is configured.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from questpath import mail
from questpath.clock import utc_now
from questpath.config import Settings
from questpath.metrics.instruments import WEBHOOK_ATTEMPTS
from questpath.webhooks import repository as repo
from questpath.webhooks.delivery import Outcome, Resolver, resolve, send, signed_headers
from questpath.webhooks.rules import message_id, retry_at

log = structlog.get_logger("questpath.webhooks")
BATCH = 20

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True)
class _Claimed:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    url: str
    secret: str
    payload: str


class DeliveryWorker:
    def __init__(
        self,
        write: UnitOfWork,
        settings: Settings,
        *,
        read: UnitOfWork | None = None,
        clock: Callable[[], datetime] = utc_now,
        resolver: Resolver = resolve,
        spread: Callable[[], float] = random.random,
    ) -> None:
        self._write = write
        self._read = read or write
        self._settings = settings
        self._clock = clock
        self._resolver = resolver
        self._spread = spread
        # A lease outlives an attempt's timeout, so it runs out only for a process that died.
        self._lease = timedelta(seconds=3 * settings.webhooks_timeout_seconds + 1)

    async def run(self) -> None:
        """Deliver until cancelled; a failed round is logged and the next one tries again."""
        async with self._client() as client:
            while True:
                try:
                    sent = await self.run_once(client)
                except Exception as exc:  # noqa: BLE001 - the next round tries again
                    log.warning("webhook round failed", error=repr(exc))
                    sent = 0
                if not sent:
                    await asyncio.sleep(self._settings.webhooks_poll_seconds)

    def _client(self) -> httpx.AsyncClient:
        # No proxies from the environment: the address checked must be the one connected to.
        return httpx.AsyncClient(
            timeout=self._settings.webhooks_timeout_seconds, follow_redirects=False, trust_env=False
        )

    async def run_once(self, client: httpx.AsyncClient | None = None) -> int:
        """Send every delivery due now (up to a batch); returns how many were attempted."""
        if client is None:
            async with self._client() as own:
                return await self.run_once(own)
        now = self._clock()
        async with self._read() as session:
            if not await repo.any_due(session, now):
                return 0
        async with self._write() as session:
            rows = await repo.claim_due(session, now, now + self._lease, BATCH)
            claimed = [_Claimed(d.id, s.id, s.url, s.secret, d.payload) for d, s in rows]
        outcomes = await asyncio.gather(*(self._send(client, c) for c in claimed))
        for item, outcome in zip(claimed, outcomes, strict=True):
            await self._record(item, outcome)
        return len(claimed)

    async def _send(self, client: httpx.AsyncClient, item: _Claimed) -> Outcome:
        headers = signed_headers(
            item.secret, message_id(str(item.delivery_id)), self._clock(), item.payload
        )
        return await send(
            client,
            item.url,
            headers,
            item.payload,
            allow_private=self._settings.webhooks_allow_private,
            resolver=self._resolver,
        )

    async def _record(self, item: _Claimed, outcome: Outcome) -> None:
        now = self._clock()
        told: tuple[str, str] | None = None
        async with self._write() as session:
            delivery = await repo.locked_delivery(session, item.delivery_id)
            subscription = await repo.locked_subscription(session, item.subscription_id)
            if delivery is None or subscription is None:  # deleted meanwhile
                return
            await repo.add_attempt(
                session,
                {
                    "delivery_id": delivery.id,
                    "attempted_at": now,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "duration_ms": outcome.duration_ms,
                },
            )
            delivery.attempts += 1
            delivery.claimed_until = None
            if outcome.delivered:
                delivery.status, delivery.delivered_at = "delivered", now
                subscription.failing_since = None
                WEBHOOK_ATTEMPTS.labels("delivered").inc()
                return
            subscription.failing_since = subscription.failing_since or now
            again = (
                retry_at(delivery.attempts, now, delivery.retry_until, self._spread())
                if delivery.retries
                else None
            )
            if again is not None:
                delivery.next_attempt_at = again
                WEBHOOK_ATTEMPTS.labels("refused" if _refused(outcome) else "retrying").inc()
                return
            delivery.status = "failed"
            WEBHOOK_ATTEMPTS.labels("failed").inc()
            first = await repo.first_attempt_at(session, delivery.id)
            if (
                delivery.retries
                and subscription.disabled_at is None
                and first is not None
                and subscription.failing_since <= first
            ):
                # Nothing reached the endpoint since this delivery's first attempt, 24 h ago.
                subscription.disabled_at = now
                subscription.disabled_reason = (
                    "every attempt failed for 24 hours; the last: " + outcome.summary()
                )[:500]
                email = await repo.owner_email(session, subscription.user_id)
                if email is not None:
                    told = (email, subscription.url)
        if told is not None:
            log.warning("webhook disabled", subscription_id=str(item.subscription_id))
            if self._settings.mail_configured:
                await mail.send(_disabled_mail(*told, self._settings), self._settings)


def _refused(outcome: Outcome) -> bool:
    return (outcome.error or "").startswith("refused:")


def _disabled_mail(email: str, url: str, settings: Settings) -> mail.Mail:
    body = (
        f"QuestPath stopped delivering to your webhook {url}: every attempt failed for 24 "
        f"hours.\n\nFix the endpoint, then enable the webhook again at "
        f"{settings.public_url.rstrip('/')}/settings/webhooks (or PATCH /api/webhooks/<id> "
        f'with {{"enabled": true}}). Deliveries still pending are sent then.\n'
    )
    return mail.Mail(
        to=email, subject="QuestPath: your webhook was disabled", body=body, kind="webhook_disabled"
    )
