"""Dependencies shared by every router: settings and the request's unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from questpath.config import Settings
from questpath.db import transaction
from questpath.ruleset import Ruleset

READ_METHODS = frozenset({"GET", "HEAD"})


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_ruleset(request: Request) -> Ruleset:
    ruleset: Ruleset = request.app.state.ruleset
    return ruleset


async def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


@asynccontextmanager
async def writing(app: Starlette) -> AsyncIterator[AsyncSession]:
    """A unit of work that may write: committed when the body succeeds, rolled back when it raises.

    On SQLite every writer takes the one write lock. Queue for it here, in arrival order,
    rather than in SQLite's busy handler, whose growing sleeps starve unlucky requests.
    """
    queue: asyncio.Lock | None = app.state.sqlite_write_queue
    async with queue or nullcontext(), transaction(app.state.sessionmaker) as session:
        yield session


@asynccontextmanager
async def reading(app: Starlette) -> AsyncIterator[AsyncSession]:
    """A read-only unit of work: no queue and no write lock on SQLite, where WAL readers never
    wait for writers; a write in it fails on both backends."""
    async with transaction(app.state.read_sessionmaker) as session:
        yield session


def unit_of_work(request: Request) -> AbstractAsyncContextManager[AsyncSession]:
    return writing(request.app)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: read-only for GET and HEAD, which change nothing (what they
    must record, such as a session's extension, takes a brief write of its own)."""
    work = reading if request.method in READ_METHODS else writing
    async with work(request.app) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
RulesetDep = Annotated[Ruleset, Depends(get_ruleset)]
SessionMakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
# "function" scope: commit before the response is sent, so a failed commit is never reported as
# a success to the client.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
