"""Ceiling (b): the HTTP stack QuestPath runs on, with nothing behind it.

A FastAPI app under the same uvicorn (one worker, uvloop, httptools) with the routes the
benchmark calls. Each receives the whole request body, as QuestPath must, and answers with a
constant; no parsing, validation, authentication, middleware or database.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

CREATED = b'{"created":0,"duplicates":0,"results":[],"achievements_unlocked":[]}'
PROGRESS = b'{"xp":0,"level":1}'


@app.post("/api/events")
async def record_events(request: Request) -> Response:
    await request.body()
    return Response(CREATED, status_code=201, media_type="application/json")


@app.get("/api/progress")
async def read_progress() -> Response:
    return Response(PROGRESS, media_type="application/json")


@app.get("/health")
async def health() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")
