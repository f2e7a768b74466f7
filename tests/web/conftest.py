"""Fixtures for browser tests: the real app served by uvicorn, driven by headless Chromium.

Every test that takes `page` runs once per backend in QUESTPATH_TEST_DATABASES, like the API
tests. Playwright drives Debian's /usr/bin/chromium (scripts/test installs it) and never
downloads a browser of its own. Screenshots go to test-artifacts/screenshots/, and one is taken
of every failing test's page.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Error, Page, ViewportSize, sync_playwright
from sqlalchemy.engine import make_url

from questpath.app import create_app
from questpath.config import Settings
from questpath.db import create_engine
from tests.chromium import CHROMIUM, launch_chromium
from tests.helpers import empty_tables

VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
PAGE_TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT = 10.0
SERVER_STOP_TIMEOUT = 10.0

Screenshot = Callable[[Page, str], Path]

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so `page` can tell whether its test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


class _ServerThread(threading.Thread):
    """uvicorn serving the app on its own event loop, on an already bound socket."""

    def __init__(self, settings: Settings, sock: socket.socket) -> None:
        super().__init__(name="live-server", daemon=True)
        self.settings = settings
        self.sock = sock
        self.server: uvicorn.Server | None = None

    def run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        # The app (and so its engine) is made in this loop: asyncpg connections cannot cross loops.
        app = create_app(self.settings)
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            # An event stream left open must not hold the test's teardown up.
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        await self.server.serve(sockets=[self.sock])

    def wait_started(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.server is None or not self.server.started:
            if not self.is_alive() or time.monotonic() > deadline:
                pytest.fail("the live server did not start", pytrace=False)
            time.sleep(0.01)

    def stop(self) -> None:
        deadline = time.monotonic() + SERVER_STOP_TIMEOUT
        # Asked again until the thread ends: a stop may come before the server exists.
        while self.is_alive():
            if time.monotonic() > deadline:
                pytest.fail(f"the live server did not stop within {SERVER_STOP_TIMEOUT} s")
            if self.server is not None:
                self.server.should_exit = True
            self.join(0.05)


async def _empty_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await empty_tables(conn)
    finally:
        await engine.dispose()


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The real app on a free port of 127.0.0.1, served from a background thread; its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        host, port = sock.getsockname()
        thread = _ServerThread(settings, sock)
        thread.start()
        try:
            thread.wait_started(SERVER_START_TIMEOUT)
            yield f"http://{host}:{port}"
        finally:
            thread.stop()
    # Leave the shared database empty for the next test (the schema stays).
    asyncio.run(_empty_tables(settings.database_url))


# Playwright's sync API marks its event loop as running in the main thread while it is open, and
# asyncio.run() (the database fixtures) and async tests refuse to start while it is. So each test
# gets its own Playwright, closed before the live server's teardown empties the database.
@pytest.fixture
def browser(live_server: str) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: ./scripts/test installs it with apt", pytrace=False)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, settings: Settings) -> Screenshot:
    """`screenshot(page, name)` saves the whole page as <test>-<backend>-<name>.png."""
    folder = request.config.rootpath / "test-artifacts" / "screenshots"
    prefix = f"{request.function.__name__}-{make_url(settings.database_url).get_backend_name()}"

    def take(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{prefix}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, screenshot: Screenshot
) -> Iterator[Page]:
    """A page in a fresh browser context whose relative URLs go to the live server."""
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server)
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        yield page
        call = request.node.stash.get(_REPORTS, {}).get("call")
        if call is not None and call.failed:
            # Best effort: the page of a failed test may have crashed or gone.
            with contextlib.suppress(Error):
                screenshot(page, "failure")
    finally:
        context.close()
