"""Versions numbered per piece (a pieces table), stored status messages, a vote's take and a jam's piece as columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The unnamed unique constraints 0001 created, as each database names them: SQLite's batch mode names them by
# this convention to drop them; PostgreSQL named them itself (table_columns_key).
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}
_OLD_UNIQUE = {
    "sqlite": ("uq_compositions_conversation_id_version", "uq_compositions_conversation_id_request_key"),
    "postgresql": ("compositions_conversation_id_version_key", "compositions_conversation_id_request_key_key"),
}
_compositions = sa.table(
    "compositions", sa.column("id", sa.Integer), sa.column("conversation_id", sa.Integer),
    sa.column("parent_id", sa.Integer), sa.column("kind", sa.String), sa.column("prompt", sa.Text),
    sa.column("created_at", sa.Float), sa.column("piece_id", sa.Integer), sa.column("take", sa.String),
    sa.column("version", sa.Integer),
)  # fmt: skip
_jams = sa.table(
    "jams", sa.column("id", sa.Integer), sa.column("conversation_id", sa.Integer), sa.column("created_at", sa.Float),
    sa.column("ended_at", sa.Float), sa.column("piece_id", sa.Integer),
)  # fmt: skip
_pieces = sa.table("pieces", sa.column("id", sa.Integer), sa.column("conversation_id", sa.Integer),
                   sa.column("created_at", sa.Float))  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "pieces",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_pieces_conversation_id", "pieces", ["conversation_id"])
    op.create_table(
        "status_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("request_key", sa.String(128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("finished_at", sa.Float(), nullable=True),
    )
    op.create_index("ix_status_messages_job_id", "status_messages", ["job_id"])
    op.create_index("ix_status_messages_finished_at", "status_messages", ["finished_at"])
    with op.batch_alter_table("jams") as batch:
        batch.add_column(sa.Column("piece_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mixed_revision", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_jams_piece_id", "pieces", ["piece_id"], ["id"])
    with op.batch_alter_table("compositions") as batch:
        batch.add_column(sa.Column("piece_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("take", sa.String(1), nullable=True))
    _assign_pieces(op.get_bind())
    with op.batch_alter_table("compositions", naming_convention=_NAMES) as batch:
        batch.alter_column("piece_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_compositions_piece_id", "pieces", ["piece_id"], ["id"])
        for name in _OLD_UNIQUE.get(op.get_bind().dialect.name, _OLD_UNIQUE["sqlite"]):
            batch.drop_constraint(name, type_="unique")
        batch.create_unique_constraint("uq_compositions_piece_version", ["piece_id", "version"])
        batch.create_unique_constraint("uq_compositions_conversation_request", ["conversation_id", "request_key"])


def _assign_pieces(connection: Any) -> None:
    """Every existing version joins its parent's piece; a jam's mixes and takes share the jam's piece."""
    jams = connection.execute(sa.select(_jams).order_by(_jams.c.id)).all()
    piece_of: dict[int, int] = {}
    jam_piece: dict[int, int] = {}
    rows = connection.execute(sa.select(_compositions).order_by(_compositions.c.id)).all()
    for row in rows:
        piece = piece_of.get(row.parent_id) if row.parent_id is not None else None
        jam = _jam_of(row, jams) if row.kind in ("jam", "vote") else None
        if piece is None and jam is not None:
            piece = jam_piece.get(jam.id)
        if piece is None:
            piece = connection.execute(
                sa.insert(_pieces)
                .values(conversation_id=row.conversation_id, created_at=row.created_at)
                .returning(_pieces.c.id)
            ).scalar_one()
            if jam is not None:
                jam_piece[jam.id] = piece
        piece_of[row.id] = piece
        take = row.prompt.removeprefix("vote ").strip()[:1] if row.kind == "vote" else None
        connection.execute(sa.update(_compositions).where(_compositions.c.id == row.id)
                           .values(piece_id=piece, take=take))  # fmt: skip
    for jam_id, piece in jam_piece.items():
        connection.execute(sa.update(_jams).where(_jams.c.id == jam_id).values(piece_id=piece))


def _jam_of(row: Any, jams: list[Any]) -> Any:
    """The jam a stored mix or vote take was made in: the chat's latest jam started before it."""
    earlier = [jam for jam in jams if jam.conversation_id == row.conversation_id and jam.created_at <= row.created_at]
    return earlier[-1] if earlier else None


def downgrade() -> None:
    connection = op.get_bind()
    # Versions were numbered per conversation before: renumber in the order they were made.
    numbers: dict[int, int] = {}
    rows = connection.execute(sa.select(_compositions).order_by(_compositions.c.id)).all()
    connection.execute(sa.update(_compositions).values(version=-_compositions.c.id))  # out of the way first
    for row in rows:
        numbers[row.conversation_id] = numbers.get(row.conversation_id, 0) + 1
        prompt = f"vote {row.take}" if row.kind == "vote" and row.take else row.prompt
        connection.execute(sa.update(_compositions).where(_compositions.c.id == row.id)
                           .values(version=numbers[row.conversation_id], prompt=prompt))  # fmt: skip
    with op.batch_alter_table("compositions") as batch:
        batch.drop_constraint("uq_compositions_piece_version", type_="unique")
        batch.drop_constraint("uq_compositions_conversation_request", type_="unique")
        batch.drop_constraint("fk_compositions_piece_id", type_="foreignkey")
        batch.drop_column("piece_id")
        batch.drop_column("take")
        batch.create_unique_constraint("uq_compositions_conversation_id_version", ["conversation_id", "version"])
        batch.create_unique_constraint("uq_compositions_conversation_id_request_key",
                                       ["conversation_id", "request_key"])  # fmt: skip
    with op.batch_alter_table("jams") as batch:
        batch.drop_constraint("fk_jams_piece_id", type_="foreignkey")
        batch.drop_column("mixed_revision")
        batch.drop_column("piece_id")
    op.drop_index("ix_status_messages_finished_at", "status_messages")
    op.drop_index("ix_status_messages_job_id", "status_messages")
    op.drop_table("status_messages")
    op.drop_index("ix_pieces_conversation_id", "pieces")
    op.drop_table("pieces")
