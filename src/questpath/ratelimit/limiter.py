"""The limiter: named policies over one storage, answering with the RateLimit header fields.

Every policy uses `limits`' fixed-window strategy, the one `DatabaseStorage` supports with a
single statement per hit. Open event streams are counted differently, as slots (see
`open_stream`), because a stream is a concurrency, not a rate.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial

from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter

from questpath.config import Settings
from questpath.problems import TooManyRequests
from questpath.ratelimit.rules import Usage, rate_limit_headers, seconds_until
from questpath.ratelimit.storage import DatabaseStorage

Release = Callable[[], Awaitable[None]]

REGISTRATION = "registration"
WRITES = "writes"
IMPORTS = "imports"
QUIZ_GENERATION = "quiz-generation"
STREAMS = "streams"

REFUSALS = {
    REGISTRATION: "too many sign-ups from this address",
    WRITES: "too many writes",
    IMPORTS: "too many imports",
    QUIZ_GENERATION: "too many quizzes generated",
}


def policies_of(settings: Settings) -> dict[str, RateLimitItem]:
    return {
        REGISTRATION: parse(settings.rate_limit_registration),
        WRITES: parse(settings.rate_limit_writes),
        IMPORTS: parse(settings.rate_limit_imports),
        QUIZ_GENERATION: parse(settings.rate_limit_quiz_generation),
    }


class Limiter:
    def __init__(self, storage: Storage, settings: Settings) -> None:
        self.storage = storage
        self.strategy = FixedWindowRateLimiter(storage)
        self.policies = policies_of(settings)
        self.streams_per_learner = settings.rate_limit_streams
        # A stream holds its slot this long at most: it then ends, and the client reconnects.
        self.stream_slot = RateLimitItemPerSecond(1, settings.rate_limit_stream_seconds)

    async def hit(self, policy: str, caller: str) -> Usage:
        """Count one request of `caller` under `policy`; raise 429 when it is one too many.
        Returns the caller's usage, for the headers of the answer."""
        item = self.policies[policy]
        if isinstance(self.storage, DatabaseStorage):
            # The fixed-window hit in one statement: the strategy's own hit, then its window
            # stats, are three, which halved the ingestion benchmark's throughput.
            count, reset_time = await self.storage.count_hit(
                item.key_for(policy, caller), item.get_expiry()
            )
            allowed, remaining = count <= item.amount, max(0, item.amount - count)
        else:
            allowed = await self.strategy.hit(item, policy, caller)
            stats = await self.strategy.get_window_stats(item, policy, caller)
            remaining, reset_time = stats.remaining, stats.reset_time
        usage = Usage(
            policy=policy,
            quota=item.amount,
            window_seconds=item.get_expiry(),
            remaining=remaining,
            reset_seconds=seconds_until(reset_time, time.time()),
        )
        if not allowed:
            wait = rate_limit_headers([usage], refused=True)
            raise TooManyRequests(
                f"{REFUSALS[policy]}: at most {item.amount} per {_window_text(item)}; "
                f"try again in {wait['Retry-After']} seconds",
                headers=wait,
            )
        return usage

    async def open_stream(self, learner: str) -> Release:
        """Take one of the learner's stream slots, each a key that one hit fills for the slot's
        lifetime; returns what frees it. Raise 429 when every slot is taken.

        A slot outlives a server process that dies with the stream open by the slot's lifetime
        at most, which is why streams end and reconnect after it.
        """
        slot = self.stream_slot
        for n in range(self.streams_per_learner):
            if await self.strategy.hit(slot, STREAMS, learner, str(n)):
                return partial(self.strategy.clear, slot, STREAMS, learner, str(n))
        now = time.time()
        ends = [
            await self.storage.get_expiry(slot.key_for(STREAMS, learner, str(n)))
            for n in range(self.streams_per_learner)
        ]
        usage = Usage(
            policy=STREAMS,
            quota=self.streams_per_learner,
            window_seconds=slot.get_expiry(),
            remaining=0,
            reset_seconds=seconds_until(min(ends, default=now), now),
        )
        raise TooManyRequests(
            f"too many open event streams: at most {self.streams_per_learner} per learner; "
            "close one, or try again later",
            headers=rate_limit_headers([usage], refused=True),
        )


def _window_text(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"
