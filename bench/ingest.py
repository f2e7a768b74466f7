"""The ingest phases: concurrent clients posting single events or batches, and ceiling (a).

Every request is encoded before the clock starts; each client has one keep-alive connection
and sends its next request when the previous one has answered.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import direct
from bench.accounts import Integration, Learner
from bench.config import Config
from bench.http import Connection, encode, host_header
from bench.load import CpuMeter, Phase, drive, post_job, run
from bench.workload import batch_body, chunks, history, recent_end, single_body, table_rows

Event = dict[str, Any]
# One client's requests: warm-up ones, measured ones, and the events each carries.
Requests = tuple[list[bytes], list[bytes], int]
DIRECT_PREFIX = "direct-"  # ceiling (a)'s event ids, so that its rows can be taken out again


@dataclass
class Ingest:
    """The events of the ingest workloads: per client, warm-up requests then measured ones."""

    singles: list[tuple[list[Event], list[Event]]]
    batches: list[tuple[list[list[Event]], list[list[Event]]]]


def workload(
    config: Config, prefix: str, singles: int | None = None, batches: int | None = None
) -> Ingest:
    """Events for `config.clients` single-event clients (`singles` requests each after the
    warm-up) and `config.batch_clients` batch clients (`batches` each), each client's events in
    chronological order. By default, the configured numbers."""
    end = recent_end()
    measured = config.singles if singles is None else singles
    measured_batches = config.batches if batches is None else batches
    per_client = []
    for c in range(config.clients):
        n = config.singles_warmup + measured
        events = list(history(f"{prefix}-s{c}", n, days=max(1, n / 200), end=end))
        per_client.append((events[: config.singles_warmup], events[config.singles_warmup :]))
    per_batch_client = []
    for c in range(config.batch_clients):
        n = config.batches_warmup + measured_batches
        stream = history(f"{prefix}-b{c}", n * config.batch_size, days=n, end=end)
        all_batches = list(chunks(stream, config.batch_size))
        warm, rest = all_batches[: config.batches_warmup], all_batches[config.batches_warmup :]
        per_batch_client.append((warm, rest))
    return Ingest(per_client, per_batch_client)


async def drive_posts(base_url: str, clients: list[Requests], meters: dict[str, CpuMeter]) -> Phase:
    """Each client's warm-up requests, all clients at once; then the measured ones, metered."""
    async with contextlib.AsyncExitStack() as stack:
        connections = [
            await stack.enter_async_context(Connection(base_url)) for _ in range(len(clients))
        ]
        pairs = list(zip(connections, clients, strict=True))
        warmup = [[post_job(conn, r, size) for r in warm] for conn, (warm, _, size) in pairs]
        measured = [[post_job(conn, r, size) for r in reqs] for conn, (_, reqs, size) in pairs]
        await drive(warmup, {})
        return await drive(measured, meters)


def _post(host: str, token: str | None, body: bytes) -> bytes:
    return encode("POST", host, "/api/events", token=token, body=body)


def single_requests(base_url: str, work: Ingest, tokens: Sequence[str | None]) -> list[Requests]:
    """Pattern (a): each client posts its own learner's events with that learner's token."""
    host = host_header(base_url)
    return [
        (
            [_post(host, token, single_body(e)) for e in warm],
            [_post(host, token, single_body(e)) for e in measured],
            1,
        )
        for token, (warm, measured) in zip(tokens, work.singles, strict=True)
    ]


def integration_requests(base_url: str, work: Ingest, integration: Integration) -> list[Requests]:
    """Pattern (b): every client posts with one integration key, each event for a learner
    picked at random, named by `user_id` in the body."""
    host = host_header(base_url)
    rng = random.Random(0)
    learners = integration.learner_ids

    def request(event: Event) -> bytes:
        return _post(host, integration.key, single_body(event, rng.choice(learners)))

    return [
        ([request(e) for e in warm], [request(e) for e in measured], 1)
        for warm, measured in work.singles
    ]


def batch_requests(base_url: str, work: Ingest, tokens: Sequence[str | None]) -> list[Requests]:
    host = host_header(base_url)
    return [
        (
            [_post(host, token, batch_body(b)) for b in warm],
            [_post(host, token, batch_body(b)) for b in measured],
            len(measured[0]),
        )
        for token, (warm, measured) in zip(tokens, work.batches, strict=True)
    ]


def direct_ingest(
    database_url: str,
    singles_learners: list[Learner],
    batch_learners: list[Learner],
    work: Ingest,
    meters: dict[str, CpuMeter],
) -> tuple[Phase, Phase]:
    """Ceiling (a): the same work as rows, inserted straight into the events table: one row per
    transaction from each single-event client, one batch per transaction from each batch client.
    The rows' ids start with `direct-`; `direct.remove_events` takes them out afterwards.
    """
    now = datetime.now(UTC)

    def rows(learner: Learner, events: list[Event]) -> list[Event]:
        renamed = [{**event, "id": DIRECT_PREFIX + event["id"]} for event in events]
        return table_rows(renamed, uuid.UUID(learner.id), now)

    def split(
        learners: list[Learner], groups: list[tuple[list[Any], list[Any]]], one: bool
    ) -> tuple[list[list[direct.Rows]], list[list[direct.Rows]]]:
        parts: tuple[list[list[direct.Rows]], list[list[direct.Rows]]] = ([], [])
        for learner, group in zip(learners, groups, strict=True):
            for part, items in zip(parts, group, strict=True):
                part.append([rows(learner, [item] if one else item) for item in items])
        return parts

    singles = split(singles_learners, work.singles, one=True)
    batches = split(batch_learners, work.batches, one=False)
    one_each = run(direct.insert_phase(database_url, *singles, meters))
    many_each = run(direct.insert_phase(database_url, *batches, meters))
    return one_each, many_each


def events_in(config: Config) -> int:
    """Events one ingest run stores: warm-up and measured, single events and batches."""
    singles = config.clients * (config.singles_warmup + config.singles)
    batches = config.batch_clients * (config.batches_warmup + config.batches) * config.batch_size
    return singles + batches
