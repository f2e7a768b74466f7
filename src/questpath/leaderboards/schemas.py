"""Request and response bodies of the leaderboards."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from questpath.fields import Flag
from questpath.progress.periods import Period

MAX_LIMIT = 100
BoardKind = Literal["xp", "streak"]


class LeaderboardSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listed: Flag = Field(description="take part in the leaderboards; off until the learner joins")
    show_name: Flag = Field(
        False, description="show the display name; otherwise an alias that tells nothing of you"
    )


class LeaderboardSettingsRead(BaseModel):
    listed: bool
    show_name: bool
    shown_as: str = Field(description="what others see on the boards: the alias or the name")


class LeaderboardEntry(BaseModel):
    rank: int = Field(description="1 + how many scored more: equal scores share a rank")
    name: str = Field(description="the display name if its owner chose to show it, else an alias")
    xp: int
    you: bool


class LeaderboardStanding(BaseModel):
    rank: int
    xp: int
    percentile: int | None = Field(
        description="the share of the board's other learners with less XP, 0-100; null alone"
    )


class LeaderboardRead(BaseModel):
    by: Literal["xp"] = Field("xp", description="the XP board")
    period: Period
    start_date: date | None = Field(description="the first local day counted; null for all time")
    end_date: date | None = Field(description="the last local day counted; null for all time")
    learners: int = Field(description="learners on this board: joined, with XP in the period")
    top: list[LeaderboardEntry]
    you: LeaderboardStanding | None = Field(
        description="the caller's standing; null unless they joined and are on this board"
    )


class StreakLeaderboardEntry(BaseModel):
    rank: int = Field(description="1 + how many have a longer streak: equal streaks share a rank")
    name: str = Field(description="the display name if its owner chose to show it, else an alias")
    streak: int = Field(description="the current streak, in days")
    you: bool


class StreakLeaderboardStanding(BaseModel):
    rank: int
    streak: int
    percentile: int | None = Field(
        description="the share of the board's other learners with a shorter streak, 0-100; "
        "null alone"
    )


class StreakLeaderboardRead(BaseModel):
    by: Literal["streak"] = Field(description="the board of current streaks")
    period: Literal["all"] = Field(description="a current streak has no week or month")
    learners: int = Field(description="learners on this board: joined, with a current streak")
    top: list[StreakLeaderboardEntry]
    you: StreakLeaderboardStanding | None = Field(
        description="the caller's standing; null unless they joined and have a current streak"
    )
