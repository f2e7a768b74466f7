"""Prometheus metrics: what QuestPath counts, how requests are timed, and GET /metrics."""

from __future__ import annotations

from fastapi import FastAPI

from questpath.metrics.exposition import router
from questpath.metrics.http import count_request
from questpath.metrics.instruments import watch_pool

__all__ = ["count_request", "install_metrics"]


def install_metrics(app: FastAPI) -> None:
    """Serve /metrics and watch the app's connection pool; `count_request` counts requests."""
    app.include_router(router)
    watch_pool(app.state.engine)
