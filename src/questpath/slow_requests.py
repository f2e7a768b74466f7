"""A warning for each request slower than a threshold, with the SQL it ran. Event streams are
left out: they stay open for as long as the client listens, which is no sign of slowness."""

from __future__ import annotations

import structlog

from questpath.finished_requests import FinishedRequest

slow_log = structlog.get_logger("questpath.slow")


class SlowRequestWarning:
    def __init__(self, threshold_ms: float) -> None:
        self.threshold_ms = threshold_ms

    def __call__(self, request: FinishedRequest) -> None:
        duration_ms = request.seconds * 1000
        if duration_ms < self.threshold_ms or request.event_stream:
            return
        slow_log.warning(
            "slow request",
            method=request.method,
            route=request.route,
            status=request.status,
            duration_ms=round(duration_ms, 2),
            sql_statements=request.sql.statements,
            sql_ms=request.sql.milliseconds,
        )
