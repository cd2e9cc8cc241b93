"""Typed jobs: requests and results in the JobRequest/JobResult shape; a version's files live on its job only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_jobs = sa.table("jobs", sa.column("id", sa.Integer), sa.column("payload", sa.JSON), sa.column("result", sa.JSON))
_FILE_KINDS = ("mp3", "midi", "stems")


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _request(old: dict[str, Any]) -> dict[str, Any]:
    target = str(old.get("target") or "")
    name = re.sub(r"^v\d+-", "", Path(target).stem) or "piece"
    extras = ["stems"] if old.get("stems") else []
    return {"spec": old.get("spec"), "target": target, "name": name, "comment": old.get("comment", ""), "extras": extras}


def _result(old: dict[str, Any]) -> dict[str, Any]:
    files = {kind: old[kind] for kind in _FILE_KINDS if old.get(kind)}
    kept: dict[str, Any] = {key: old[key] for key in ("duration_s", "timings_ms", "loudness_lufs", "true_peak_db") if key in old}
    return {"files": files, **kept}


def upgrade() -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(_jobs.c.id, _jobs.c.payload, _jobs.c.result)).all():
        payload, result = _loaded(row.payload) or {}, _loaded(row.result)
        if "extras" not in payload:
            payload = _request(payload)
        if result is not None and "files" not in result:
            result = _result(result)
        connection.execute(sa.update(_jobs).where(_jobs.c.id == row.id).values(payload=payload, result=result))
    with op.batch_alter_table("compositions") as batch:
        for column in ("status", "mp3_path", "midi_path", "duration_s"):
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("compositions") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="queued"))
        batch.add_column(sa.Column("mp3_path", sa.Text(), nullable=True))
        batch.add_column(sa.Column("midi_path", sa.Text(), nullable=True))
        batch.add_column(sa.Column("duration_s", sa.Float(), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(_jobs.c.id, _jobs.c.payload, _jobs.c.result)).all():
        payload, result = _loaded(row.payload) or {}, _loaded(row.result)
        old_payload = {"spec": payload.get("spec"), "target": payload.get("target"), "comment": payload.get("comment", ""),
                       "stems": "stems" in payload.get("extras", [])}
        old_result = None
        if result is not None:
            old_result = {**{k: v for k, v in result.items() if k not in ("files", "stems")}, **result.get("files", {})}
        connection.execute(
            sa.update(_jobs).where(_jobs.c.id == row.id).values(payload=old_payload, result=old_result)
        )
