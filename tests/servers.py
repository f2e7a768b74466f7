"""Real servers for tests: `questpath serve` on loopback, the `questpath` command, an SMTP
server that keeps what it is sent, and a Sentry ingestion server that keeps the envelopes.

Each server runs in its own process group, so a test can kill it with every worker at once, the
way a power cut or the OOM killer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

QUESTPATH = Path(sys.executable).parent / "questpath"
# Generous: on a busy machine each worker takes seconds to import the app.
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0
COMMAND_TIMEOUT = 120.0


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    database_url: str
    data_dir: Path
    stdout: Path
    stderr: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def logs(self) -> str:
        return self.stderr.read_text(errors="replace")

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=30)

    def kill(self) -> None:
        """SIGKILL the server and its workers together: no shutdown code runs anywhere."""
        _kill_group(self.process)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _started_workers(server: Server) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", server.logs()))


def _wait_until_ready(server: Server, workers: int) -> None:
    """Poll /health (bounded) until it answers 200 and every worker has started."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"`questpath serve` exited with {server.process.returncode}\n"
                f"stdout:\n{server.output()}\nstderr:\n{server.logs()}"
            )
        try:
            healthy = httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            healthy = False
        if healthy and len(_started_workers(server)) == workers:
            return
        time.sleep(0.1)
    pytest.fail(
        f"`questpath serve` was not ready within {READY_TIMEOUT} s\n"
        f"stdout:\n{server.output()}\nstderr:\n{server.logs()}"
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # Signalled before the leader is reaped, so its group id cannot belong to anyone else yet.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return  # killed by its test, or exited on its own (a supervisor stops its workers)
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return
    # A worker the supervisor was still starting can outlive it; the group still names it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Servers:
    """Starts `questpath serve` processes sharing one data directory (so one signing key: tokens
    survive a restart); `stop_all` ends every one of them and their workers."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, database_url: str, *, workers: int = 1) -> Server:
        port = _free_port()
        name = f"serve-{len(self.processes)}"
        stdout, stderr = self.data_dir / f"{name}.out", self.data_dir / f"{name}.err"
        env = {
            **os.environ,
            "QUESTPATH_DATABASE_URL": database_url,
            "QUESTPATH_DATA_DIR": str(self.data_dir),
            "QUESTPATH_PUBLIC_URL": f"http://127.0.0.1:{port}",  # links and badge URLs lead here
            "PYTHONUNBUFFERED": "1",
        }
        args = [str(QUESTPATH), "serve", "--port", str(port)]
        if workers > 1:
            args += ["--workers", str(workers)]
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                args, stdout=out, stderr=err, env=env, start_new_session=True
            )
        self.processes.append(process)
        server = Server(process, port, database_url, self.data_dir, stdout, stderr)
        _wait_until_ready(server, workers)
        assert f"http://127.0.0.1:{port}" in server.output()
        return server

    def stop_all(self) -> None:
        for process in self.processes:
            _stop(process)


async def run_questpath(
    database_url: str,
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed `questpath` command on `database_url`, off the event loop, with
    `stdin` as its standard input."""
    return await asyncio.to_thread(
        subprocess.run,
        [str(QUESTPATH), *args],
        env={
            **os.environ,
            "QUESTPATH_DATABASE_URL": database_url,
            "QUESTPATH_DATA_DIR": str(data_dir),
            **(env or {}),
        },
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


class Mailbox:
    """What a real SMTP server on loopback (aiosmtpd) received: parsed messages, oldest first."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: Envelope) -> str:
        """aiosmtpd's hook, called by this name, for each message's content."""
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def link(self, address: str, path: str) -> str:
        """The link to `path` in the newest mail to `address`."""
        mails = self.to(address)
        assert mails, f"no mail to {address}; got {[m['To'] for m in self.messages]}"
        body = mails[-1].get_content()
        match = re.search(rf"(https?://\S+{re.escape(path)}\?token=\S+)", body)
        assert match, body
        return match.group(1)


@dataclass(frozen=True)
class SmtpServer:
    mailbox: Mailbox
    port: int


@contextlib.contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port that keeps every message it is sent."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(mailbox, port)
    finally:
        controller.stop()


@dataclass(frozen=True)
class EnvelopeItem:
    headers: dict[str, Any]
    payload: bytes

    def json(self) -> Any:
        return json.loads(self.payload)


@dataclass
class SentryEnvelopes:
    """What a Sentry-compatible ingestion server received: each envelope's raw (decompressed)
    bytes, and its items. `dsn` reports there."""

    port: int
    raw: list[bytes] = field(default_factory=list)
    items: list[EnvelopeItem] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict[str, Any]]:
        return [item.json() for item in self.items if item.headers.get("type") == "event"]


def parse_envelope(body: bytes) -> list[EnvelopeItem]:
    """Sentry's envelope format: a JSON header line, then items, each a JSON header line and a
    payload of the `length` it states or, without one, up to the next newline."""
    _header, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        item_header, _, rest = rest.partition(b"\n")
        headers = json.loads(item_header)
        if "length" in headers:
            payload, rest = rest[: headers["length"]], rest[headers["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append(EnvelopeItem(headers, payload))
    return items


@contextlib.contextmanager
def sentry_server() -> Iterator[SentryEnvelopes]:
    """An HTTP server on a free loopback port that accepts Sentry envelopes and keeps them."""
    received = SentryEnvelopes(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if re.fullmatch(r"/api/\d+/envelope/", self.path):
                received.raw.append(body)
                received.items.extend(parse_envelope(body))
                self.send_response(200)
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
