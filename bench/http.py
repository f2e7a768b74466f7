"""A minimal HTTP/1.1 client for load generation: one keep-alive connection, bytes in, bytes out.

A general client (httpx) spends more CPU per request than a small server takes to answer it, so
the load generator, not the server, would set the pace. This one sends request bytes encoded
before the clock starts and parses only what it must: the status, the framing headers
(Content-Length, chunked transfer coding, Connection: close) and the body's bytes. It does not
follow redirects, decompress, pipeline or retry; a response it cannot frame is an error.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

Sink = Callable[[bytes], None]  # receives a streamed body piece by piece instead of keeping it


class ProtocolError(RuntimeError):
    pass


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self, limit: int = 500) -> str:
        return self.body[:limit].decode(errors="replace")


def host_header(base_url: str) -> str:
    """The Host header for `base_url`, e.g. `127.0.0.1:8000`."""
    return urlsplit(base_url).netloc


def encode(
    method: str,
    host: str,
    path: str,
    *,
    token: str | None = None,
    body: bytes | None = None,
    content_type: str = "application/json",
) -> bytes:
    """One request as it goes on the wire. `host` is the Host header, e.g. `127.0.0.1:8000`."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


class ResponseReader:
    """Parses one response from the bytes fed to it; `feed` returns True once it is complete.

    Bytes past the end of the response stay in `rest` (a server may not send any before the
    next request, but the reader does not rely on it).
    """

    def __init__(self, sink: Sink | None = None) -> None:
        self.sink = sink
        self.status = 0
        self.close = False
        self.rest = bytearray()
        self._body = bytearray()
        self._remaining = 0  # bytes left in the body (Content-Length) or the current chunk
        self._state = "head"

    @property
    def body(self) -> bytes:
        return bytes(self._body)

    def feed(self, data: bytes) -> bool:
        self.rest += data
        while self._state != "done":
            if not getattr(self, "_" + self._state)():
                return False
        return True

    def _emit(self, count: int) -> None:
        piece = self.rest[:count]
        del self.rest[:count]
        if self.sink is None:
            self._body += piece
        else:
            self.sink(bytes(piece))

    def _head(self) -> bool:
        end = self.rest.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.rest[:end]).lower()
        del self.rest[: end + 4]
        if not head.startswith(b"http/1.1 ") and not head.startswith(b"http/1.0 "):
            raise ProtocolError(f"not an HTTP/1.x response: {head[:80]!r}")
        self.status = int(head[9:12])
        headers = dict(_header(line) for line in head.split(b"\r\n")[1:])
        self.close = headers.get(b"connection") == b"close" or head.startswith(b"http/1.0")
        if self.status < 200 or self.status in (204, 304):
            self._state = "done"
        elif b"chunked" in headers.get(b"transfer-encoding", b""):
            self._state = "chunk_size"
        elif b"content-length" in headers:
            self._remaining = int(headers[b"content-length"])
            self._state = "fixed" if self._remaining else "done"
        else:
            raise ProtocolError("a response with neither Content-Length nor chunked coding")
        return True

    def _fixed(self) -> bool:
        count = min(self._remaining, len(self.rest))
        self._emit(count)
        self._remaining -= count
        if self._remaining:
            return False
        self._state = "done"
        return True

    def _chunk_size(self) -> bool:
        end = self.rest.find(b"\r\n")
        if end < 0:
            return False
        self._remaining = int(bytes(self.rest[:end]).split(b";", 1)[0], 16)
        del self.rest[: end + 2]
        self._state = "chunk_data" if self._remaining else "trailer"
        return True

    def _chunk_data(self) -> bool:
        if self._remaining:
            count = min(self._remaining, len(self.rest))
            self._emit(count)
            self._remaining -= count
            if self._remaining:
                return False
        if len(self.rest) < 2:
            return False
        if self.rest[:2] != b"\r\n":
            raise ProtocolError("a chunk not followed by CRLF")
        del self.rest[:2]
        self._state = "chunk_size"
        return True

    def _trailer(self) -> bool:
        if self.rest[:2] == b"\r\n":
            del self.rest[:2]
        else:
            end = self.rest.find(b"\r\n\r\n")
            if end < 0:
                return False
            del self.rest[: end + 4]
        self._state = "done"
        return True


def _header(line: bytes) -> tuple[bytes, bytes]:
    name, _, value = line.partition(b":")
    return name.strip(), value.strip()


class _Protocol(asyncio.Protocol):
    """Hands received bytes to the current response's reader; wakes the waiting request."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.reader: ResponseReader | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        if self.reader is None or self.waiter is None:
            self.lost = ProtocolError(f"bytes with no request waiting: {data[:80]!r}")
            return
        try:
            done = self.reader.feed(data)
        except (ProtocolError, ValueError) as error:
            self._wake(error)
            return
        if done:
            self._wake(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("the server closed the connection")
        self._wake(self.lost)

    def _wake(self, error: BaseException | None) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is None or waiter.done():
            return
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)


class Connection:
    """One keep-alive connection; requests go one after another. Use `async with`."""

    def __init__(self, base_url: str) -> None:
        url = urlsplit(base_url)
        if url.scheme != "http" or url.hostname is None:
            raise ValueError(f"only http://host:port URLs: {base_url}")
        self.hostname = url.hostname
        self.port = url.port or 80
        self.host = url.netloc  # the Host header
        self._protocol: _Protocol | None = None

    async def __aenter__(self) -> Connection:
        await self._open()
        return self

    async def _open(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_Protocol, self.hostname, self.port)
        self._protocol = protocol
        return protocol

    async def __aexit__(self, *_exc: object) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None

    def encode(
        self, method: str, path: str, token: str | None = None, body: bytes | None = None
    ) -> bytes:
        return encode(method, self.host, path, token=token, body=body)

    async def send(self, request: bytes, sink: Sink | None = None) -> Response:
        """Send encoded `request`, wait for the whole response. With `sink`, the body is handed
        to it as it arrives and the returned body is empty."""
        protocol = self._protocol
        if protocol is None or protocol.lost is not None:
            # Not open yet, or closed while idle (uvicorn drops keep-alive connections after
            # 5 s): open a new one, as any client would.
            protocol = await self._open()
        assert protocol.transport is not None
        reader = ResponseReader(sink)
        waiter = asyncio.get_running_loop().create_future()
        protocol.reader, protocol.waiter = reader, waiter
        protocol.transport.write(request)
        await waiter
        protocol.reader = None
        if reader.rest:
            raise ProtocolError(f"bytes after the response: {bytes(reader.rest[:80])!r}")
        if reader.close:
            protocol.lost = ProtocolError("the server closed the connection after a response")
            protocol.transport.close()
        return Response(reader.status, reader.body)
