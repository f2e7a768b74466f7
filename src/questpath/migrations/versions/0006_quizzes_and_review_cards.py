"""quizzes and review cards

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:33:59.416133
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TALLY_TABLES = ("progress_totals", "progress_days", "progress_topics", "progress_topic_days")
NEW_COUNTERS = ("quizzes", "quiz_reviews", "quiz_reviews_passed")


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_questions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index("ix_questions_created", ["user_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_questions_item", ["user_id", "item_id"], unique=False)
        batch_op.create_index("ix_questions_topic", ["user_id", "topic"], unique=False)

    op.create_table(
        "quizzes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("generator", sa.String(length=16), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("time_spent_seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_quizzes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_quizzes")),
    )
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.create_index("ix_quizzes_created", ["user_id", "created_at", "id"], unique=False)

    op.create_table(
        "review_cards",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=False),
        sa.Column("difficulty", sa.Float(), nullable=False),
        sa.Column("due", UTCDateTime(), nullable=False),
        sa.Column("last_review", UTCDateTime(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id", "question_id"],
            ["questions.user_id", "questions.id"],
            name="fk_review_cards_question_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_cards_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "question_id", name=op.f("pk_review_cards")),
    )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index("ix_review_cards_due", ["user_id", "due"], unique=False)
    for table in TALLY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in NEW_COUNTERS:
                batch_op.add_column(
                    sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
                )


def downgrade() -> None:
    for table in TALLY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in NEW_COUNTERS:
                batch_op.drop_column(column)

    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_review_cards_due")

    op.drop_table("review_cards")
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_index("ix_quizzes_created")

    op.drop_table("quizzes")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_topic")
        batch_op.drop_index("ix_questions_item")
        batch_op.drop_index("ix_questions_created")

    op.drop_table("questions")
