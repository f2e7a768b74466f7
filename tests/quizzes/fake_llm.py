"""A fake OpenAI-compatible LLM server: real HTTP on 127.0.0.1, answers from a per-test script.

    with running_fake_llm() as llm:
        llm.script(questions(true_false("Water boils at 100 C at sea level.", True)))
        ... point the code under test at llm.base_url ...
        assert llm.requests[0].headers["authorization"] == "Bearer <the key>"

Each POST to {base_url}/chat/completions takes the next behaviour of the script: a `Reply` (a
chat.completion whose message text is given), a `Status` (an answer with that status, e.g. a 429
with Retry-After or a 500) or a `Stall` (no answer for a while; `reset` and stopping the server
end it). When the script runs out, the server answers 500 "no scripted answer left", so a test
sees the surplus. Every request is recorded, whatever its path, with its JSON body and headers;
other paths get a 404 and leave the script alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Reply:
    """A 200 chat.completion whose assistant message is `content`."""

    content: str | None
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Status:
    """An answer with this status: `body` as JSON, or as given when it is a str."""

    status: int
    body: dict[str, Any] | str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stall:
    """No answer for `seconds` (cut short when the server stops), then a plain 500."""

    seconds: float = 30.0


Behaviour = Reply | Status | Stall


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # the parsed JSON, or the raw text when it is not JSON


# Behaviour helpers -------------------------------------------------------------------------------


def multiple_choice(
    prompt: str,
    options: list[str],
    correct_index: int,
    *,
    explanation: str = "Because.",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "type": "multiple_choice",
        "prompt": prompt,
        "options": options,
        "correct_index": correct_index,
        "explanation": explanation,
        **extra,
    }


def true_false(
    prompt: str, correct: bool, *, explanation: str = "Because.", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "true_false",
        "prompt": prompt,
        "correct": correct,
        "explanation": explanation,
        **extra,
    }


def short_answer(
    prompt: str, accepted: list[str], *, explanation: str = "Because.", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "short_answer",
        "prompt": prompt,
        "accepted_answers": accepted,
        "explanation": explanation,
        **extra,
    }


def cloze(
    prompt: str, accepted: list[str], *, explanation: str = "Because.", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "cloze",
        "prompt": prompt,
        "accepted_answers": accepted,
        "explanation": explanation,
        **extra,
    }


def questions(*items: dict[str, Any]) -> Reply:
    """A reply holding valid quiz JSON with these questions."""
    return Reply(json.dumps({"questions": list(items)}))


def invalid_json() -> Reply:
    return Reply('Sure! Here are your questions: {"questions": [{"type": "true_false",')


def wrong_shape() -> Reply:
    """JSON, but not quiz JSON: the list under the wrong key and a question without a type."""
    return Reply(json.dumps({"quiz": [{"question": "What is a B-tree?", "answer": "A tree"}]}))


def rate_limited(retry_after: str | None = "1") -> Status:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return Status(429, _error("Rate limit reached, slow down", "rate_limit_exceeded"), headers)


def server_error(status: int = 500) -> Status:
    return Status(status, _error("The server had an error while processing the request", None))


def stall(seconds: float = 30.0) -> Stall:
    return Stall(seconds)


def _error(message: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error", "param": None, "code": code}}


# The server --------------------------------------------------------------------------------------


class FakeLlm:
    """The server's state, shared by the test thread and the server thread."""

    model = "fake-model"

    def __init__(self) -> None:
        self.base_url = ""
        self._lock = threading.Lock()
        self._script: deque[Behaviour] = deque()
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None  # set to end the stalls waiting on it
        self._closing = False

    def script(self, *behaviours: Behaviour) -> None:
        """Replace the script: the next requests get these behaviours, in order."""
        with self._lock:
            self._script = deque(behaviours)

    def reset(self) -> None:
        """Forget the script and the recorded requests, and end any stall still running."""
        with self._lock:
            self._script.clear()
            self._requests.clear()
        self.release_stalls()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def remaining(self) -> int:
        """Behaviours not used yet."""
        with self._lock:
            return len(self._script)

    def release_stalls(self) -> None:
        """End every stalled answer now; later stalls wait again (unless the server stops)."""

        def release() -> None:
            if self._release is not None:
                self._release.set()
            self._release = asyncio.Event()

        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                self._loop.call_soon_threadsafe(release)

    def close(self) -> None:
        """Make stalls end at once from now on: the server is stopping."""
        self._closing = True
        self.release_stalls()

    async def _endpoint(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    request.method,
                    request.url.path,
                    {k.lower(): v for k, v in request.headers.items()},
                    body,
                )
            )
            if request.url.path != "/v1/chat/completions" or request.method != "POST":
                return JSONResponse(_error(f"no route {request.url.path}", None), status_code=404)
            behaviour = self._script.popleft() if self._script else None
        if behaviour is None:
            return JSONResponse(_error("fake LLM: no scripted answer left", None), status_code=500)
        if isinstance(behaviour, Stall):
            if not self._closing and self._release is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._release.wait(), behaviour.seconds)
            return JSONResponse(_error("fake LLM: stalled", None), status_code=500)
        if isinstance(behaviour, Status):
            if isinstance(behaviour.body, str):
                return Response(behaviour.body, behaviour.status, behaviour.headers)
            return JSONResponse(behaviour.body, behaviour.status, behaviour.headers)
        return JSONResponse(self._completion(behaviour, body))

    def _completion(self, reply: Reply, body: Any) -> dict[str, Any]:
        model = body.get("model", self.model) if isinstance(body, dict) else self.model
        words = len((reply.content or "").split())
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": words,
                "total_tokens": 100 + words,
            },
        }

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", self._endpoint, methods=methods)])


class _ServerThread(threading.Thread):
    """uvicorn serving the fake on its own event loop, on an already bound socket."""

    def __init__(self, fake: FakeLlm, sock: socket.socket) -> None:
        super().__init__(name="fake-llm", daemon=True)
        self.fake = fake
        self.sock = sock
        self.server: uvicorn.Server | None = None

    def run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self.fake._release = asyncio.Event()
        self.fake._loop = asyncio.get_running_loop()
        config = uvicorn.Config(
            self.fake.app(),
            log_config=None,  # leave the test run's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        await self.server.serve(sockets=[self.sock])

    def wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while self.server is None or not self.server.started:
            if not self.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the fake LLM server did not stop within {STOP_TIMEOUT} s")
            self.fake.close()
            if self.server is not None:
                self.server.should_exit = True
            self.join(0.05)


@contextlib.contextmanager
def running_fake_llm() -> Iterator[FakeLlm]:
    """A started fake on a free port of 127.0.0.1; stopped (stalls cut short) on exit."""
    fake = FakeLlm()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        host, port = sock.getsockname()
        fake.base_url = f"http://{host}:{port}/v1"
        thread = _ServerThread(fake, sock)
        thread.start()
        try:
            thread.wait_started()
            yield fake
        finally:
            thread.stop()


def free_port_url() -> str:
    """A base URL where nothing listens: a port bound and released again at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        host, port = sock.getsockname()
    return f"http://{host}:{port}/v1"
