"""notify: the outbox key takes the event (issue 15 N7); SLA breaches indexed by deadline for the KPIs (N8)

The key was (kind, record_id, due_at, recipient_id): an item announced when it turned amber was never
announced again when it turned red, because both events shared one key. It is now
(kind, record_id, due_at, recipient_id, event).

The quarterly scoring counts recorded SLA breaches by the quarter their deadline fell in: ``ix_sla_breach_due``.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-08
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0041"
down_revision: Union[str, None] = "0040"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = ["kind", "record_id", "due_at", "recipient_id"]


def _rebuild_key(columns: list[str]) -> None:
    """SQLite changes a constraint by rebuilding the table (copy, drop, rename); with ``foreign_keys=ON`` the old
    ``notify_outbox`` cannot be dropped while deliveries point at it (a deferred check would not help either:
    SQLite counts the orphans at the drop and never recounts). So the deliveries wait aside, ids kept."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE _notify_delivery_aside AS SELECT * FROM notify_delivery")
        op.execute("DELETE FROM notify_delivery")
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notify_outbox_key", type_="unique")
        batch_op.create_unique_constraint("uq_notify_outbox_key", columns)
    if sqlite:
        op.execute("INSERT INTO notify_delivery SELECT * FROM _notify_delivery_aside")
        op.execute("DROP TABLE _notify_delivery_aside")


def upgrade() -> None:
    _rebuild_key(OLD + ["event"])
    op.create_index("ix_sla_breach_due", "sla_breach", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_sla_breach_due", table_name="sla_breach")
    # The old key allows one row per deadline and person: keep the first, drop the later events' rows.
    later = sa.text("SELECT o.id FROM notify_outbox o WHERE EXISTS (SELECT 1 FROM notify_outbox f "
                    "WHERE f.kind = o.kind AND f.record_id = o.record_id AND f.due_at = o.due_at "
                    "AND f.recipient_id = o.recipient_id AND f.id < o.id)")
    op.execute(sa.text(f"DELETE FROM notify_delivery WHERE outbox_id IN ({later.text})"))
    op.execute(sa.text(f"DELETE FROM notify_outbox WHERE id IN ({later.text})"))
    _rebuild_key(OLD)
