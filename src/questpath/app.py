"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import sentry_sdk
import swagger_ui_bundle
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine

from questpath import __version__
from questpath.auth import credentials
from questpath.auth.access import install_access_docs
from questpath.auth.account_routes import router as account_router
from questpath.auth.account_views import router as account_pages
from questpath.auth.admin_routes import router as admin_router
from questpath.auth.admin_views import router as admin_pages
from questpath.auth.authentication import Authenticator
from questpath.auth.cache import CredentialCache
from questpath.auth.email_routes import router as email_router
from questpath.auth.email_views import router as email_pages
from questpath.auth.routes import router as auth_router
from questpath.auth.two_factor_routes import router as two_factor_router
from questpath.auth.two_factor_views import router as two_factor_pages
from questpath.auth.views import router as auth_pages
from questpath.badges.hosted import router as badge_documents
from questpath.badges.routes import router as badges_router
from questpath.badges.views import router as badges_pages
from questpath.cohorts.routes import router as cohort_router
from questpath.cohorts.views import router as cohort_pages
from questpath.config import Settings, get_settings
from questpath.dashboard.views import router as dashboard_pages
from questpath.database_errors import install_database_error_handler
from questpath.db import create_engine, create_sessionmaker, engine_options, read_only
from questpath.dependencies import reading, writing
from questpath.erasure import erase_due_accounts
from questpath.error_tracking import configure_error_tracking
from questpath.events.routes import router as events_router
from questpath.export.routes import pages as export_pages
from questpath.export.routes import router as export_router
from questpath.finished_requests import RequestFinishedMiddleware
from questpath.goals.routes import router as goals_router
from questpath.goals.views import router as goals_pages
from questpath.health import router as health_router
from questpath.leaderboards.routes import router as leaderboard_router
from questpath.leaderboards.views import router as leaderboard_pages
from questpath.mentors.routes import router as mentors_router
from questpath.mentors.views import router as mentors_pages
from questpath.metrics import count_request, install_metrics
from questpath.metrics.exposition import process_started, process_stopping
from questpath.notifications.hub import HUB, Hub, PostgresListener, SqliteWatcher
from questpath.notifications.reminders import ReminderSweeper
from questpath.notifications.routes import router as notifications_router
from questpath.notifications.routes import stream_router
from questpath.notifications.views import router as notifications_pages
from questpath.notifications.views import unread_for_page
from questpath.observability import (
    BodySizeLimitMiddleware,
    SecurityHeadersMiddleware,
    UnhandledErrorMiddleware,
    configure_logging,
    log_access,
    request_id_middleware,
)
from questpath.openapi import install_problem_docs
from questpath.problems import install_problem_handlers
from questpath.progress.history_views import router as history_pages
from questpath.progress.routes import router as progress_router
from questpath.progress.routes import settings_router as streak_settings_router
from questpath.progress.streak_views import router as streak_pages
from questpath.quizzes.routes import router as quizzes_router
from questpath.quizzes.views import router as quizzes_pages
from questpath.ratelimit.limiter import Limiter
from questpath.ratelimit.storage import open_storage
from questpath.recorder.core import EventRecorder
from questpath.recorder.group import GroupCommit
from questpath.recorder.routes import router as record_router
from questpath.ruleset import load_ruleset
from questpath.sharing.routes import router as sharing_router
from questpath.sharing.views import router as sharing_pages
from questpath.slow_requests import SlowRequestWarning
from questpath.sql_timing import install_sql_timing
from questpath.tracks.routes import router as tracks_router
from questpath.tracks.views import router as tracks_pages
from questpath.web.errors import install_page_errors
from questpath.web.rendering import STATIC_DIR
from questpath.webhooks.delivery import resolve
from questpath.webhooks.routes import router as webhooks_router
from questpath.webhooks.views import router as webhooks_pages
from questpath.webhooks.worker import DeliveryWorker
from questpath.xapi.identity_routes import router as xapi_identities_router
from questpath.xapi.lrs import create_lrs

# The start-up script is a file rather than inline, so the strict CSP applies to /docs as well.
API_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QuestPath API</title>
<link rel="icon" href="/static/swagger-ui/favicon-32x32.png">
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/web/api-docs.js"></script></body></html>
"""


def stream_waker(
    engine: AsyncEngine, settings: Settings, hub: Hub = HUB
) -> PostgresListener | SqliteWatcher:
    """What wakes this process's event streams for writes made by other processes."""
    if settings.is_sqlite:
        return SqliteWatcher(engine, settings.stream_poll_seconds, hub)
    return PostgresListener(engine, hub)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    configure_error_tracking(settings)
    credentials.configure_password_hashing(settings)
    engine = create_engine(settings.database_url, **engine_options(settings))
    install_sql_timing(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        process_started()
        tasks = [
            asyncio.create_task(
                erase_due_accounts(app.state.sessionmaker, settings.erasure_interval_seconds)
            ),
            asyncio.create_task(app.state.webhook_worker.run()),
            asyncio.create_task(app.state.reminder_sweeper.run()),
            asyncio.create_task(stream_waker(engine, settings).run()),
        ]
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.dispose()
        process_stopping()
        await asyncio.to_thread(sentry_sdk.flush)  # a no-op while error tracking is off

    app = FastAPI(
        title="QuestPath",
        version=__version__,
        summary="Learning progress from one event log: XP, levels, streaks, tracks and quizzes.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_sessionmaker(read_only(engine))
    app.state.sqlite_write_queue = asyncio.Lock() if settings.is_sqlite else None
    app.state.authenticator = Authenticator(
        CredentialCache(ttl=settings.auth_cache_seconds),
        read=partial(reading, app),
        write=partial(writing, app),
        settings=settings,
    )
    app.state.ruleset = load_ruleset(settings.rules_file)
    app.state.recorder = EventRecorder(app.state.ruleset)
    app.state.group_commit = GroupCommit(
        app.state.recorder, app.state.sessionmaker, app.state.sqlite_write_queue
    )
    app.state.rate_limiter = Limiter(open_storage(settings, engine), settings)
    app.state.webhook_resolver = resolve
    app.state.webhook_worker = DeliveryWorker(
        partial(writing, app), settings, read=partial(reading, app)
    )
    app.state.reminder_sweeper = ReminderSweeper(partial(writing, app), settings, app.state.ruleset)

    install_problem_handlers(app)
    install_database_error_handler(app)
    for router in (
        health_router,
        auth_router,
        account_router,
        admin_router,
        two_factor_router,
        email_router,
        record_router,
        events_router,
        progress_router,
        streak_settings_router,
        export_router,
        tracks_router,
        goals_router,
        quizzes_router,
        sharing_router,
        leaderboard_router,
        cohort_router,
        mentors_router,
        badges_router,
        badge_documents,
        webhooks_router,
        notifications_router,
        stream_router,
        xapi_identities_router,
    ):
        app.include_router(router)
    for router in (
        auth_pages,
        account_pages,
        admin_pages,
        two_factor_pages,
        email_pages,
        dashboard_pages,
        history_pages,
        streak_pages,
        export_pages,
        tracks_pages,
        goals_pages,
        quizzes_pages,
        sharing_pages,
        leaderboard_pages,
        cohort_pages,
        mentors_pages,
        badges_pages,
        webhooks_pages,
        notifications_pages,
    ):
        # The header of every signed-in page shows the unread notifications.
        app.include_router(router, dependencies=[Depends(unread_for_page)])
    install_page_errors(app)
    install_access_docs(app)
    install_problem_docs(app)
    app.mount("/static/web", StaticFiles(directory=STATIC_DIR))
    app.mount("/xapi", create_lrs(app.state))
    _mount_api_docs(app)

    # Added innermost first; a request passes: request id, its record once finished (access
    # log, metrics, slow-request warning), headers, errors, size limit.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        RequestFinishedMiddleware,
        listeners=(log_access, count_request, SlowRequestWarning(settings.slow_request_ms)),
    )
    app.add_middleware(request_id_middleware)
    install_metrics(app)
    return app


def _mount_api_docs(app: FastAPI) -> None:
    """Swagger UI served from the installed package, so /docs works with no network."""
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path))

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS_PAGE)
