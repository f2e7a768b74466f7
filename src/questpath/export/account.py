"""The head of the JSON export: everything about the learner but the event log, each section in
the shape its own API returns, so that an import can rebuild the account from it.

Secrets never leave: the password hash, API keys' secrets and hashes, session ids and share
tokens (with the links built from them), the two-factor secret and the recovery codes are not
read or are dropped here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath import __version__
from questpath.auth import service as auth_service
from questpath.auth import two_factor
from questpath.auth.principal import UserLike
from questpath.auth.schemas import ApiKeyRead, TwoFactorRead, UserRead
from questpath.badges import service as badge_service
from questpath.badges.rules import BadgeUrls
from questpath.cohorts import service as cohort_service
from questpath.goals import service as goal_service
from questpath.leaderboards import repository as boards
from questpath.mentors import service as mentor_service
from questpath.progress import service, streak_settings
from questpath.quizzes import bank as quiz_bank
from questpath.quizzes import service as quiz_service
from questpath.ruleset import Ruleset
from questpath.sharing import service as sharing_service
from questpath.tracks import service as track_service

FORMAT = "questpath-export"
# 1: profile, progress, achievements, skill levels, quizzes, history, events.
# 2: adds tracks, goals, API keys, sharing and vacations: enough to rebuild the account; later
#    `badges`, `leaderboards` and `cohorts` (added sections, which readers of version 2 ignore).
FORMAT_VERSION = 2

# Fields that carry a share token: the token itself and the addresses built from it.
TRACK_SHARE_SECRETS = {"token", "url"}
SHARING_SECRETS = {"token", "url", "badge_url"}


async def _leaderboards(session: AsyncSession, user: UserLike) -> dict[str, bool]:
    member = await boards.member(session, user.id)
    return {"listed": member is not None, "show_name": member is not None and member.show_name}


def _json(model: Any, **dump: Any) -> Any:
    return model.model_dump(mode="json", **dump)


async def head(
    session: AsyncSession, user: UserLike, ruleset: Ruleset, public_url: str, now: datetime
) -> dict[str, Any]:
    """Every section of the export before `events`, in the order the document lists them."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": __version__,
        "exported_at": now.isoformat(),
        "profile": _json(UserRead.model_validate(user)),
        "progress": _json(await service.progress(session, ruleset, user, now)),
        "achievements": _json(await service.achievements(session, ruleset, user, now))[
            "achievements"
        ],
        "skill_levels": _json(await service.skill_levels(session, ruleset, user, now))[
            "skill_levels"
        ],
        "questions": [_json(q) for q in await quiz_bank.everything(session, user)],
        "quizzes": [_json(q) for q in await quiz_service.everything(session, user)],
        "history": [_json(s) for s in await service.snapshots(session, user.id, None, None)],
        "tracks": [
            _json(track, exclude={"share": TRACK_SHARE_SECRETS})
            for track in await track_service.export_tracks(session, user)
        ],
        "goals": [
            _json(goal)
            for goal in (await goal_service.list_goals(session, ruleset, user, None, now)).items
        ],
        "api_keys": [
            _json(ApiKeyRead.model_validate(key))
            for key in await auth_service.list_api_keys(session, user)
        ],
        "two_factor": _json(
            TwoFactorRead.model_validate(await two_factor.status(session, user.id))
        ),
        "sharing": _json(await sharing_service.settings_of(session, user), exclude=SHARING_SECRETS),
        "vacations": [
            _json(vacation)
            for vacation in (await streak_settings.list_vacations(session, user, now)).items
        ],
        "leaderboards": await _leaderboards(session, user),
        "cohorts": [_json(c) for c in await cohort_service.mine(session, user)],
        "mentorships": [_json(m) for m in await mentor_service.records_of(session, user)],
        "badges": {
            **_json(await badge_service.settings_of(session, user)),
            **_json(await badge_service.badges_of(session, user, ruleset, BadgeUrls(public_url))),
        },
    }
