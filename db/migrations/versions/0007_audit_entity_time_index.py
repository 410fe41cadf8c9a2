"""audit_event: index (entity, at) for the audit viewer's entity filter and its entity list

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-22
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = ("platform",)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity_at", ["entity", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity_at")
