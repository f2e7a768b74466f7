"""GET /metrics in the Prometheus text format, for a scraper on this machine or with the token.

Under `questpath serve --workers N` (or any process manager that sets PROMETHEUS_MULTIPROC_DIR
before the app is imported) every process writes its values to files in that directory, and a
scrape answered by any one of them adds up all of them.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.exceptions import HTTPException

from questpath.metrics.instruments import SERVER_PROCESSES

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A reverse proxy names the client it forwards for in one of these. Whatever address uvicorn
# makes of them, a forwarded request did not start on this machine's loopback.
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

router = APIRouter()


def may_scrape(
    authorization: str | None, client_host: str | None, forwarded: bool, token: str
) -> bool:
    """A scrape is allowed with the configured bearer token, or from loopback unforwarded."""
    if token and authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode()):
            return True
    return not forwarded and is_loopback(client_host)


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8 or ::1, also as a dual-stack socket reports IPv4 (::ffff:127.0.0.1)."""
    if host is None:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback


def multiprocess_dir() -> Path | None:
    """The shared directory, when this process writes its values there."""
    if values.ValueClass is values.MutexValue:  # decided when prometheus_client was imported
        return None
    return Path(os.environ[MULTIPROC_DIR_VARIABLE])


def exposition() -> bytes:
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def forget_dead_processes(directory: Path) -> None:
    """Drop the live gauges of processes that are gone, so a worker that crashed and was
    replaced no longer adds its last pool and stream counts; their counters stay counted."""
    for path in directory.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_started() -> None:
    SERVER_PROCESSES.set(1)
    if (directory := multiprocess_dir()) is not None:
        forget_dead_processes(directory)


def process_stopping() -> None:
    if (directory := multiprocess_dir()) is not None:
        multiprocess.mark_process_dead(os.getpid(), str(directory))  # type: ignore[no-untyped-call]


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token.get_secret_value()
    client = request.client.host if request.client else None
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    if not may_scrape(request.headers.get("authorization"), client, forwarded, token):
        # The same answer as a path that does not exist: a refused scraper learns nothing.
        raise HTTPException(status_code=404)
    # The classic text format: every Prometheus version reads it, and our names need no more.
    # Reading every process's files is file I/O: off the event loop. One registry is not.
    body = await to_thread.run_sync(exposition) if multiprocess_dir() else exposition()
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)
