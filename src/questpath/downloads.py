"""File downloads, shared by the JSON API and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterable

from fastapi.responses import Response, StreamingResponse


def attachment(
    body: str | bytes | AsyncIterable[bytes], media_type: str, file_name: str
) -> Response:
    """A response the browser saves as `file_name`; an async iterable body is streamed."""
    headers = {"Content-Disposition": f'attachment; filename="{file_name}"'}
    if isinstance(body, str | bytes):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)
