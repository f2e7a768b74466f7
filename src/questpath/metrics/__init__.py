"""Prometheus metrics: what QuestPath counts, how requests are timed, and GET /metrics."""

from __future__ import annotations

from fastapi import FastAPI

from questpath.metrics.exposition import router
from questpath.metrics.http import HttpMetricsMiddleware
from questpath.metrics.instruments import watch_pool


def install_metrics(app: FastAPI) -> None:
    """Serve /metrics, time every request (call last: outermost, so the timing covers all the
    other middleware) and watch the app's connection pool."""
    app.include_router(router)
    app.add_middleware(HttpMetricsMiddleware)
    watch_pool(app.state.engine)
