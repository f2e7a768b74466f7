"""The statements the LRS stores, what its queries filter them by, and their attachments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime

# SQLite makes an INTEGER PRIMARY KEY its rowid, numbered on insert.
Sequence = BigInteger().with_variant(Integer(), "sqlite")


class XapiStatement(Base):
    """A statement as stored: `statement` is what GET answers (with id, stored, authority and
    version set); the other columns are what queries and voiding need."""

    __tablename__ = "xapi_statements"
    __table_args__ = (
        Index("ix_xapi_statements_owner_seq", "owner_id", "seq"),
        Index("ix_xapi_statements_key_seq", "api_key_id", "seq"),
        Index("ix_xapi_statements_refers_to", "refers_to"),
        Index("ix_xapi_statements_user_id", "user_id"),
    )

    # The order the LRS stored them in: queries page by it.
    seq: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    # The account whose key stored it, and the key: who may read it back.
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    stored: Mapped[datetime] = mapped_column(UTCDateTime)
    verb_id: Mapped[str] = mapped_column(String(2048))
    # The statement a StatementRef object points at (a voiding statement's target among them).
    refers_to: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # The learner it counts for and the event it was recorded as, when it maps to progress.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE")
    )
    event_id: Mapped[str | None] = mapped_column(String(128))
    statement: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))


class XapiStatementTerm(Base):
    """What a statement matches in a query (see `terms`): the SHA-256 of `agent:<ifi>`,
    `activity:<iri>`, `verb:<iri>` or `registration:<uuid>`, a fixed width however long the
    IRI. `related` terms match only with related_agents/related_activities. A statement whose
    object is a StatementRef also carries its target's terms, as the spec's filters ask."""

    __tablename__ = "xapi_statement_terms"
    __table_args__ = (Index("ix_xapi_statement_terms_seq", "seq"),)

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(
        Sequence, ForeignKey("xapi_statements.seq", ondelete="CASCADE"), primary_key=True
    )
    related: Mapped[bool] = mapped_column(Boolean, primary_key=True)


class XapiAttachment(Base):
    """An attachment's content, once per hash however many statements carry it."""

    __tablename__ = "xapi_attachments"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
