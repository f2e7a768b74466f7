"""Dependencies shared by every router: settings and the request's unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from questpath.config import Settings
from questpath.db import transaction
from questpath.progress.ruleset import Rules
from questpath.recorder.core import EventRecorder
from questpath.recorder.group import GroupCommit


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_rules(request: Request) -> Rules:
    rules: Rules = request.app.state.rules
    return rules


def get_recorder(request: Request) -> EventRecorder:
    recorder: EventRecorder = request.app.state.recorder
    return recorder


def get_group_commit(request: Request) -> GroupCommit:
    group: GroupCommit = request.app.state.group_commit
    return group


def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


@asynccontextmanager
async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the body succeeds, rolled back when it raises.

    On SQLite every transaction takes the one write lock. Queue for it here, in arrival order,
    rather than in SQLite's busy handler, whose growing sleeps starve unlucky requests.
    """
    queue: asyncio.Lock | None = request.app.state.sqlite_write_queue
    async with queue or nullcontext(), transaction(get_sessionmaker(request)) as session:
        yield session


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
RulesDep = Annotated[Rules, Depends(get_rules)]
RecorderDep = Annotated[EventRecorder, Depends(get_recorder)]
GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]
SessionMakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
# "function" scope: commit before the response is sent, so a failed commit is never reported as
# a success to the client.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
