"""The client side of `python -m bench.streams`: one event stream per learner, opened from a
process of its own so that its CPU is not counted as the server's.

`python -m bench.stream_client BASE_URL LEARNERS_JSON` reads the learners (`[{"id", "token"}]`),
opens `GET /api/progress/stream` for each on a raw socket (bench/http.py's response framing,
no HTTP library), and notes when each named event first arrives on each stream
(`time.monotonic()`, which on Linux is one clock for every process). It talks to the benchmark
over its standard input and output, one JSON object a line:

- once every stream has sent its first `unread` event (or failed): `{"ready": n, "failed": [...]}`;
- on `collect SECONDS`: waits until every stream has had an `achievement` and a `notification`
  event, or SECONDS, then writes `{"achievement": [...], "notification": [...], "pings": n,
  "closed": [...]}`, the arrival times in the order of the learners (null: none arrived);
- on `quit` or the end of its input: closes the streams and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, cast

from bench import load
from bench.http import ProtocolError, ResponseReader, host_header

OPENING_AT_ONCE = 50  # streams being opened at a time, as a crowd of dashboards would
FIRST_EVENT_TIMEOUT = 120.0
PING = ":"  # the name EventParser gives a block of comments only (sse-starlette's keep-alive)


class EventParser:
    """The names of the server-sent events in a body fed piece by piece, in order: an event's
    `event:` field, `message` for an event without one, and `:` for a block of comments only."""

    def __init__(self) -> None:
        self._rest = bytearray()
        self._name: str | None = None
        self._data = False
        self._comment = False

    def feed(self, data: bytes) -> list[str]:
        self._rest += data
        names = []
        while (end := self._rest.find(b"\n")) >= 0:
            line = bytes(self._rest[:end]).removesuffix(b"\r")
            del self._rest[: end + 1]
            if not line:  # a blank line ends the block
                if self._name is not None or self._data:
                    names.append(self._name or "message")
                elif self._comment:
                    names.append(PING)
                self._name, self._data, self._comment = None, False, False
            elif line.startswith(b":"):
                self._comment = True
            elif line.startswith(b"event:"):
                self._name = line[6:].strip().decode()
            else:
                self._data = True
        return names


class Stream(asyncio.Protocol):
    """One learner's open stream: sends the request, notes each event's first arrival."""

    def __init__(self, request: bytes, opened: asyncio.Event, changed: asyncio.Event) -> None:
        self.request = request
        self.reader = ResponseReader(sink=self._body)
        self.parser = EventParser()
        self.first: dict[str, float] = {}
        self.pings = 0
        self.problem: str | None = None
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self._opened = opened  # set once the first `unread` arrived or the stream failed
        self._changed = changed  # set whenever an event arrives: the collector looks again
        self._now = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self._now = time.monotonic()
        try:
            done = self.reader.feed(data)
        except (ProtocolError, ValueError) as error:
            self._fail(f"unreadable response: {error}")
            return
        if self.reader.status not in (0, 200):
            self._fail(f"status {self.reader.status}")
        elif done:
            self.closed = True
            self._fail("the server ended the stream")

    def _body(self, piece: bytes) -> None:
        for name in self.parser.feed(piece):
            if name == PING:
                self.pings += 1
                continue
            self.first.setdefault(name, self._now)
            if name == "unread":
                self._opened.set()
            self._changed.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(f"connection lost: {exc or 'closed by the server'}")

    def _fail(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem
        self._opened.set()
        self._changed.set()
        if self.transport is not None:
            self.transport.close()


async def open_streams(base_url: str, tokens: list[str]) -> tuple[list[Stream], asyncio.Event]:
    """Every learner's stream, open: each has sent its first `unread` event, or failed."""
    loop = asyncio.get_running_loop()
    host = host_header(base_url)
    hostname, port = host.rsplit(":", 1)
    changed = asyncio.Event()
    streams = []
    limit = asyncio.Semaphore(OPENING_AT_ONCE)

    async def one(token: str) -> Stream:
        request = (
            f"GET /api/progress/stream HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode("latin-1")
        opened = asyncio.Event()
        stream = Stream(request, opened, changed)
        async with limit:
            try:
                await loop.create_connection(lambda: stream, hostname, int(port))
            except OSError as error:
                stream.problem = f"cannot connect: {error}"
                return stream
            try:
                async with asyncio.timeout(FIRST_EVENT_TIMEOUT):
                    await opened.wait()
            except TimeoutError:
                stream.problem = f"no `unread` event within {FIRST_EVENT_TIMEOUT:g} s"
        return stream

    streams = await asyncio.gather(*(one(token) for token in tokens))
    return list(streams), changed


async def collect(streams: list[Stream], changed: asyncio.Event, seconds: float) -> dict[str, Any]:
    """Wait until every live stream has had its `achievement` and `notification`, or `seconds`."""
    wanted = ("achievement", "notification")

    def waiting() -> bool:
        return any(s.problem is None and not all(n in s.first for n in wanted) for s in streams)

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while waiting():
                changed.clear()
                await changed.wait()
    return {
        **{name: [s.first.get(name) for s in streams] for name in wanted},
        "pings": sum(s.pings for s in streams),
        "closed": [s.problem for s in streams if s.problem is not None],
    }


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def run(base_url: str, learners: list[dict[str, str]]) -> None:
    streams, changed = await open_streams(base_url, [learner["token"] for learner in learners])
    _say({"ready": sum(s.problem is None for s in streams),
          "failed": sorted({s.problem for s in streams if s.problem is not None})})  # fmt: skip
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    try:
        while line := (await commands.readline()).decode().split():
            if line[0] == "collect":
                _say(await collect(streams, changed, float(line[1])))
            elif line[0] == "quit":
                break
    finally:
        for stream in streams:
            if stream.transport is not None:
                stream.transport.close()


def main() -> None:
    learners = json.loads(Path(sys.argv[2]).read_text())
    load.run(run(sys.argv[1], learners))  # on uvloop, as the server runs


if __name__ == "__main__":
    main()
