"""What the LRS keeps besides statements: the documents of the state, activity profile and agent
profile resources, one table for the three, and the canonical definition of each activity."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime

STATE, ACTIVITY_PROFILE, AGENT_PROFILE = "state", "activity_profile", "agent_profile"


class XapiDocument(Base):
    """One document, in the account of the key that stored it. A part of the key that a resource
    does not use is '' rather than NULL, so that the primary key holds every document: the
    activity profile has no agent or registration, the agent profile no activity or registration,
    and a state stored without a registration has ''."""

    __tablename__ = "xapi_documents"
    __table_args__ = (
        # The lists of ids with `since`, and Last-Modified of a list.
        Index(
            "ix_xapi_documents_context", "user_id", "resource", "activity_id", "agent", "updated"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    resource: Mapped[str] = mapped_column(String(16), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String, primary_key=True)
    # The agent's inverse functional identifier (`agents.ifi`), not its whole object.
    agent: Mapped[str] = mapped_column(String, primary_key=True)
    registration: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(String, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    # SHA-1 hex of `content`, as Communication 3.1 asks the ETag to be.
    etag: Mapped[str] = mapped_column(String(40))
    updated: Mapped[datetime] = mapped_column(UTCDateTime)


class XapiActivity(Base):
    """The canonical definition of an activity, merged from the statements that carried one.
    Global, like activity ids themselves."""

    __tablename__ = "xapi_activities"

    activity_id: Mapped[str] = mapped_column(String, primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    updated: Mapped[datetime] = mapped_column(UTCDateTime)
