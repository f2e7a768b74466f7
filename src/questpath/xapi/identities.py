"""Which learner a statement's agent is: by the learner's own e-mail address, or by an identity
the learner (or an admin) linked.

An IFI is the string `agents.ifi` gives. A learner's own address is recognised as an `mbox`
(the address compared without regard to case, as accounts store it lower-cased) and as the
`mbox_sha1sum` of "mailto:" and that lower-cased address (`users.email_sha1`); it needs no link.
Any other identity, an `account` with an LMS, an `openid`, another address, is linked through
/api/xapi/identities, one learner per identity. An account that is disabled or waiting to be
deleted is nobody's: its statements are stored and count for no one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User, account_in_use, mailto_sha1
from questpath.auth.principal import UserLike
from questpath.problems import Conflict, FieldError, NotFound
from questpath.xapi.identity_models import XapiIdentity

MBOX, SHA1 = "mbox:mailto:", "mbox_sha1sum:"


def address_ifis(email: str) -> tuple[str, str]:
    """The identifiers a learner's own address is sent as: its mbox and its mbox_sha1sum."""
    return f"{MBOX}{email}", f"{SHA1}{mailto_sha1(email)}"


def normal_ifi(ifi: str) -> str:
    """The IFI as stored and compared: an mbox's address and a SHA-1's hex digits lower-cased
    (an address's case does not name another mailbox); others exactly as sent."""
    lowered = ifi.lower()
    return lowered if lowered.startswith((MBOX, SHA1)) else ifi


def ifi_field(ifi: str) -> str:
    """The agent property the IFI comes from: mbox, mbox_sha1sum, openid or account."""
    return ifi.partition(":")[0]


async def resolve(session: AsyncSession, ifis: Collection[str]) -> dict[str, uuid.UUID]:
    """The learner each of `ifis` names, for those that name one in use. An address that is a
    learner's own is theirs even if someone else linked it first; else the linked identity."""
    wanted = {ifi: normal_ifi(ifi) for ifi in ifis}
    owners = await _email_owners(session, set(wanted.values()))
    linked_ifis = {normal for normal in wanted.values() if normal not in owners}
    linked: dict[str, uuid.UUID | None] = {}
    if linked_ifis:
        rows = await session.execute(
            select(XapiIdentity.ifi, XapiIdentity.user_id)
            .join(User, User.id == XapiIdentity.user_id)
            .where(XapiIdentity.ifi.in_(linked_ifis), account_in_use())
        )
        linked = {ifi: user_id for ifi, user_id in rows.all()}
    found = {**linked, **owners}
    return {
        ifi: user_id for ifi, normal in wanted.items() if (user_id := found.get(normal)) is not None
    }


async def _email_owners(session: AsyncSession, normals: set[str]) -> dict[str, uuid.UUID | None]:
    """The accounts whose own address each mbox or mbox_sha1sum IFI is: the learner, or None
    for an account out of use (whose address is then nobody's, not a linked identity's)."""
    addresses = {n.removeprefix(MBOX) for n in normals if n.startswith(MBOX)}
    digests = {n.removeprefix(SHA1) for n in normals if n.startswith(SHA1)}
    if not addresses and not digests:
        return {}
    rows = await session.execute(
        select(User.id, User.email, User.email_sha1, account_in_use()).where(
            or_(User.email.in_(addresses), User.email_sha1.in_(digests))
        )
    )
    owners: dict[str, uuid.UUID | None] = {}
    for user_id, email, digest, in_use in rows.all():
        owner = user_id if in_use else None
        if email in addresses:
            owners[MBOX + email] = owner
        if digest in digests:
            owners[SHA1 + digest] = owner
    return owners


# The learner's identities ----------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """One identity of a learner: linked (with its row's id), or implied by the own address."""

    ifi: str
    id: uuid.UUID | None
    created_at: datetime | None

    @property
    def implicit(self) -> bool:
        return self.id is None


async def identities_of(session: AsyncSession, user: UserLike) -> list[Identity]:
    """The learner's own address (as mbox and mbox_sha1sum), then their links, oldest first."""
    rows = await session.scalars(
        select(XapiIdentity)
        .where(XapiIdentity.user_id == user.id)
        .order_by(XapiIdentity.created_at, XapiIdentity.id)
    )
    own = [Identity(ifi, None, None) for ifi in address_ifis(user.email)]
    return own + [Identity(row.ifi, row.id, row.created_at) for row in rows]


async def link(
    session: AsyncSession, user: UserLike, ifi: str, now: datetime
) -> tuple[Identity, bool]:
    """Link `ifi` to the learner: (the identity, True) when new, (it, False) when it was theirs
    already. Conflict, naming the field, when it is another learner's or the learner's own
    address (which needs no link)."""
    normal = normal_ifi(ifi)
    field = ifi_field(normal)
    if normal.startswith((MBOX, SHA1)) and (owner := await _address_owner(session, normal)):
        if owner == user.id:
            raise _conflict(field, "is the learner's own e-mail address, recognised without a link")
        raise _taken(field)
    existing = await session.scalar(select(XapiIdentity).where(XapiIdentity.ifi == normal))
    if existing is not None:
        if existing.user_id != user.id:
            raise _taken(field)
        return Identity(existing.ifi, existing.id, existing.created_at), False
    row = XapiIdentity(user_id=user.id, id=uuid.uuid4(), ifi=normal, created_at=now)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent link of the same identity won the race
        raise _taken(field) from exc
    return Identity(row.ifi, row.id, row.created_at), True


async def unlink(session: AsyncSession, user: UserLike, identity_id: uuid.UUID) -> None:
    deleted = await session.execute(
        delete(XapiIdentity)
        .where(XapiIdentity.user_id == user.id, XapiIdentity.id == identity_id)
        .returning(XapiIdentity.id)
    )
    if deleted.first() is None:
        raise NotFound(f"no linked identity of the learner has the id {identity_id}")


async def _address_owner(session: AsyncSession, normal: str) -> uuid.UUID | None:
    """The account whose own address the mbox or mbox_sha1sum IFI is, in use or not."""
    column = User.email if normal.startswith(MBOX) else User.email_sha1
    value = normal.removeprefix(MBOX).removeprefix(SHA1)
    owner: uuid.UUID | None = await session.scalar(select(User.id).where(column == value))
    return owner


def _taken(field: str) -> Conflict:
    return _conflict(field, "another learner has this identity")


def _conflict(field: str, message: str) -> Conflict:
    return Conflict(f"{field}: {message}", errors=[FieldError(field, message)])
