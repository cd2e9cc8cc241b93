"""Jam sessions: a shared piece per chat, its contributions and participants; jobs that wait.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("not_before", sa.Float(), nullable=True))
    op.create_table(
        "jams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("started_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("layers", sa.JSON(), nullable=False),
        sa.Column("pending_version_id", sa.Integer(), sa.ForeignKey("compositions.id"), nullable=True),
        sa.Column("vote", sa.JSON(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
    )
    op.create_index("ix_jams_conversation_id", "jams", ["conversation_id"])
    op.create_table(
        "jam_contributions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("jam_id", sa.Integer(), sa.ForeignKey("jams.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("spec_before", sa.JSON(), nullable=False),
        sa.Column("layers_before", sa.JSON(), nullable=False),
        sa.Column("request_key", sa.String(128), nullable=True),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("rendered_in", sa.Integer(), sa.ForeignKey("compositions.id"), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("jam_id", "request_key"),
    )
    op.create_index("ix_jam_contributions_jam_id", "jam_contributions", ["jam_id"])
    op.create_table(
        "jam_participants",
        sa.Column("jam_id", sa.Integer(), sa.ForeignKey("jams.id"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("joined_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("jam_participants")
    op.drop_table("jam_contributions")
    op.drop_table("jams")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("not_before")
