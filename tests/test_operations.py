"""Operations behaviour of the real app over ASGI: health, request ids, security headers, body
limits, problem responses, the API docs and the access log."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import questpath
from questpath.app import create_app
from questpath.config import Settings
from tests.conftest import TEST_SECRET
from tests.helpers import Account, all_events, assert_problem
from tests.web.browsing import sign_up

MIB = 1024 * 1024
GENERATED_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")

# One request of each kind of outcome: every response must carry the operational headers.
RESPONSES: list[Any] = [
    pytest.param("GET", "/health", {}, 200, id="200-health"),
    pytest.param("GET", "/docs", {}, 200, id="200-docs"),
    pytest.param("GET", "/static/swagger-ui/swagger-ui-bundle.js", {}, 200, id="200-static"),
    pytest.param("GET", "/no/such/page", {}, 404, id="404"),
    pytest.param("DELETE", "/health", {}, 405, id="405"),
    pytest.param("GET", "/api/events", {}, 401, id="401"),
    pytest.param("POST", "/api/auth/register", {"json": {}}, 422, id="422"),
]


def assert_security_headers(response: httpx.Response) -> None:
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


def oversized_batch() -> bytes:
    """A valid batch of 1000 events, over 3 MiB: stored in full if the size limit let it in."""
    events = [
        {"id": f"big-{i}", "kind": "exercise_completed", "metadata": {"note": "x" * 3200}}
        for i in range(1000)
    ]
    body = json.dumps({"events": events}).encode()
    assert len(body) > 3 * MIB
    return body


async def in_chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


# Health


async def test_health_reports_ok_with_database_and_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "version": questpath.__version__,
    }


def _refused_postgres(_tmp_path: Path) -> str:
    return "postgresql+asyncpg://nobody@127.0.0.1:1/none"


def _sqlite_file_that_is_a_directory(tmp_path: Path) -> str:
    directory = tmp_path / "not-a-database"
    directory.mkdir()
    return f"sqlite+aiosqlite:///{directory}"


@pytest.mark.parametrize(
    "unreachable_url",
    [
        pytest.param(_refused_postgres, id="postgresql-connection-refused"),
        pytest.param(_sqlite_file_that_is_a_directory, id="sqlite-cannot-open"),
    ],
)
async def test_health_is_503_when_the_database_is_unreachable(
    tmp_path: Path, unreachable_url: Any
) -> None:
    settings = Settings(
        database_url=unreachable_url(tmp_path), data_dir=tmp_path, secret_key=TEST_SECRET
    )
    threads_before = set(threading.enumerate())
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/health")
    finally:
        await app.state.engine.dispose()
        # aiosqlite stops a connection that failed to open on its worker thread, which then
        # reports back to this event loop: let it, before the loop closes under a busy CPU.
        stopping = [
            thread
            for thread in set(threading.enumerate()) - threads_before
            if "_connection_worker_thread" in thread.name
        ]
        await asyncio.to_thread(lambda: [thread.join(timeout=30) for thread in stopping])

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "version": questpath.__version__,
    }
    assert GENERATED_REQUEST_ID.match(response.headers["x-request-id"])


# Request ids


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), RESPONSES)
async def test_every_response_gets_a_fresh_generated_request_id(
    client: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    first = await client.request(method, path, **kwargs)
    second = await client.request(method, path, **kwargs)

    assert first.status_code == second.status_code == status
    assert GENERATED_REQUEST_ID.match(first.headers["x-request-id"])
    assert GENERATED_REQUEST_ID.match(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "request_id", ["abc-123", "trace.id:42_A", "a" * 128], ids=["dashes", "punctuation", "128"]
)
@pytest.mark.parametrize("path", ["/health", "/no/such/page"])
async def test_well_formed_request_id_from_the_client_is_echoed(
    client: httpx.AsyncClient, path: str, request_id: str
) -> None:
    response = await client.get(path, headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["has spaces in it", "a" * 129, "semi;colon", "<script>", "new\tline"],
    ids=["spaces", "129-chars", "semicolon", "markup", "tab"],
)
async def test_malformed_request_id_from_the_client_is_replaced(
    client: httpx.AsyncClient, request_id: str
) -> None:
    response = await client.get("/health", headers={"X-Request-ID": request_id})

    assert response.status_code == 200
    assert response.headers["x-request-id"] != request_id
    assert GENERATED_REQUEST_ID.match(response.headers["x-request-id"])


# Security headers


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), RESPONSES)
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    response = await client.request(method, path, **kwargs)

    assert response.status_code == status
    assert_security_headers(response)


# Body size limit


async def test_body_over_the_limit_by_content_length_is_413_before_authentication(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = oversized_batch()
    headers = {"Content-Type": "application/json"}

    anonymous = await client.post("/api/events", content=body, headers=headers)
    signed_in = await client.post(
        "/api/events", content=body, headers={**headers, **learner.headers}
    )

    for response in (anonymous, signed_in):
        assert response.request.headers["content-length"] == str(len(body))
        problem = assert_problem(response, 413)
        assert str(2 * MIB) in problem["detail"]
        assert "www-authenticate" not in response.headers
    assert await all_events(client, learner.headers) == []


async def test_chunked_body_over_the_limit_is_413_and_nothing_is_stored(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = oversized_batch()

    response = await client.post(
        "/api/events",
        content=in_chunks(body),
        headers={"Content-Type": "application/json", **learner.headers},
    )

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    problem = assert_problem(response, 413)
    assert str(2 * MIB) in problem["detail"]
    assert await all_events(client, learner.headers) == []


async def test_body_under_the_limit_is_accepted(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # The same kind of batch, small enough: the limit, not the payload, caused the 413s above.
    events = [{"id": f"ok-{i}", "kind": "exercise_completed"} for i in range(3)]

    response = await client.post(
        "/api/events",
        content=in_chunks(json.dumps({"events": events}).encode(), size=16),
        headers={"Content-Type": "application/json", **learner.headers},
    )

    assert response.status_code == 201, response.text
    assert response.json()["created"] == 3
    assert len(await all_events(client, learner.headers)) == 3


# Problem responses


async def test_unknown_api_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/no/such/thing")

    assert_problem(response, 404)


async def test_unknown_page_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")

    assert_problem(response, 405)
    assert response.headers["allow"] == "GET"


async def test_malformed_json_body_is_a_422_problem_naming_the_body(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/events",
        content=b'{"kind": "exercise_completed", ',
        headers={"Content-Type": "application/json", **learner.headers},
    )

    problem = assert_problem(response, 422)
    assert len(problem["errors"]) == 1
    error = problem["errors"][0]
    assert error["field"] == "body"
    assert error["message"].startswith("is not valid JSON")
    assert problem["detail"].startswith("body: is not valid JSON")
    assert await all_events(client, learner.headers) == []


async def test_unexpected_error_is_a_500_problem_with_the_request_id_and_no_traceback(
    app: FastAPI,
) -> None:
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        generated = await client.get("/boom")
        chosen = await client.get("/boom", headers={"X-Request-ID": "report-me-42"})

    for response in (generated, chosen):
        problem = assert_problem(response, 500)
        request_id = response.headers["x-request-id"]
        assert request_id in problem["detail"]
        assert "secret internals" not in response.text
        assert "RuntimeError" not in response.text
        assert "Traceback" not in response.text
        assert 'File "' not in response.text
        assert_security_headers(response)
    assert GENERATED_REQUEST_ID.match(generated.headers["x-request-id"])
    assert chosen.headers["x-request-id"] == "report-me-42"


# API documentation


async def test_openapi_lists_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == questpath.__version__
    for path in (
        "/api/events",
        "/api/auth/register",
        "/api/auth/login",
        "/api/users/me",
        "/api/api-keys",
        "/health",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/events"]
    assert "get" in schema["paths"]["/api/events"]


async def test_every_schema_in_the_openapi_document_has_a_plain_name(
    client: httpx.AsyncClient,
) -> None:
    """Two models of one name get module-qualified names (questpath__x__schemas__Name), which
    client generators turn into unreadable types."""
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert len(schemas) > 50
    assert [name for name in schemas if "__" in name] == []


async def test_docs_page_loads_swagger_ui_from_local_files_without_inline_script(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>' in html
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL | re.I)
    assert scripts
    for attributes, script_body in scripts:
        assert "src=" in attributes
        assert script_body.strip() == ""
    assert "unsafe-inline" not in page.headers["content-security-policy"]

    sources = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', html)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in sources
    for source in sources:
        assert source.startswith("/static/"), source
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert asset.content, source
    bundle = await client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert "javascript" in bundle.headers["content-type"]
    assert "SwaggerUIBundle" in bundle.text


# Logging


async def test_access_log_is_a_json_line_with_the_request_id(
    settings: Settings, tmp_path: Path
) -> None:
    app = create_app(
        Settings(
            database_url=settings.database_url,
            data_dir=tmp_path,
            secret_key=TEST_SECRET,
            log_json=True,
            log_level="INFO",
        )
    )
    # create_app routed all logging through one handler on the root logger; read what it writes.
    [handler] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/health", headers={"X-Request-ID": "log-check-1"})
    finally:
        handler.setStream(previous)
        await app.state.engine.dispose()

    assert response.status_code == 200
    lines = [json.loads(line) for line in output.getvalue().splitlines() if line.strip()]
    access = [line for line in lines if line.get("path") == "/health"]
    assert len(access) == 1, lines
    [entry] = access
    assert entry["request_id"] == "log-check-1"
    assert entry["method"] == "GET"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], int | float)
    assert entry["duration_ms"] >= 0
    assert entry["level"] == "info"
    assert entry["timestamp"].endswith("Z")


@pytest.mark.parametrize(
    "path",
    [
        "/api/progress",
        "/api/events",
        "/api/users/me",
        "/api/progress/export?format=csv",
        "/api/progress/export?format=json",
        "/api/no/such/thing",
    ],
)
async def test_api_answers_about_a_learner_are_never_cached(
    client: httpx.AsyncClient, learner: Account, path: str
) -> None:
    response = await client.get(path, headers=learner.headers)
    assert response.headers["cache-control"] == "no-store"


async def test_signed_in_pages_are_never_cached(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    for path in ("/", "/settings", "/statistics", "/tracks", "/sign-in"):
        response = await client.get(path)
        assert response.headers["cache-control"] == "no-store", path


async def test_static_files_and_the_api_description_keep_their_caching(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/static/swagger-ui/swagger-ui-bundle.js", "/openapi.json", "/docs"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", ""), path
