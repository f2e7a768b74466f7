"""Request counts and latency by route template: `/api/tracks/{track_id}`, never the raw path."""

from __future__ import annotations

from questpath.finished_requests import FinishedRequest
from questpath.metrics.instruments import HTTP_DURATION, HTTP_REQUESTS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def count_request(request: FinishedRequest) -> None:
    method = method_label(request.method)
    HTTP_REQUESTS.labels(request.route, method, str(request.status)).inc()
    HTTP_DURATION.labels(request.route, method).observe(request.seconds)
