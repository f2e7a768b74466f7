"""The xAPI identities a learner has linked: statements naming one of them are the learner's."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime

# "account:" + a 300-character home page + " " + a 250-character name fits, and stays within
# PostgreSQL's limit on an index entry however many bytes each character takes.
MAX_IFI_LENGTH = 600


class XapiIdentity(Base):
    """One inverse functional identifier (`questpath.xapi.agents.ifi`), linked to one learner.
    A learner's own e-mail address needs no row: it is recognised from `users`."""

    __tablename__ = "xapi_identities"
    __table_args__ = (Index("ix_xapi_identities_ifi", "ifi", unique=True),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ifi: Mapped[str] = mapped_column(String(MAX_IFI_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
