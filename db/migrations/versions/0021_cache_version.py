"""cache_version: a counter per cached domain, bumped by triggers in the writing transaction (issue 13 L2)

App servers keep the settings, the signed-in actors and the credentials in memory beside these counters
and read one row per script run to know whether they are still current. The triggers make every writer
bump them (services, the demo loader, a hand-written UPDATE), in the same transaction, so another server
sees a deactivation, a logout or a settings change on its very next read.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-06
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: Union[str, None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (trigger name, event, table, domain): the events that change what an app server keeps in memory
USER_COLUMNS = "username, name, password_hash, role, titles, lang, department_id, team_id, group_id, active"
TRIGGERS = (
    ("cache_settings_insert", "INSERT", "setting_value", "settings"),
    ("cache_settings_update", "UPDATE", "setting_value", "settings"),
    ("cache_settings_delete", "DELETE", "setting_value", "settings"),
    ("cache_auth_user_insert", "INSERT", "app_user", "auth"),
    ("cache_auth_user_update", f"UPDATE OF {USER_COLUMNS}", "app_user", "auth"),
    ("cache_auth_user_delete", "DELETE", "app_user", "auth"),
    # a session ending (logout, reset, deactivation, idle); the once-a-minute last_seen_at touch is not one
    ("cache_auth_session_end", "UPDATE OF ended_at", "user_session", "auth"),
    ("cache_auth_session_delete", "DELETE", "user_session", "auth"),
)


def upgrade() -> None:
    table = op.create_table("cache_version",
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("domain"))
    op.bulk_insert(table, [{"domain": "settings", "version": 0}, {"domain": "auth", "version": 0}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION cache_version_bump() RETURNS trigger AS $$
            BEGIN UPDATE cache_version SET version = version + 1 WHERE domain = TG_ARGV[0]; RETURN NULL; END;
            $$ LANGUAGE plpgsql
        """)
        for name, event, target, domain in TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {target} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION cache_version_bump('{domain}')")
    else:
        for name, event, target, domain in TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {target} "
                       f"BEGIN UPDATE cache_version SET version = version + 1 WHERE domain = '{domain}'; END")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, _event, target, _domain in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {target}" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        op.execute("DROP FUNCTION cache_version_bump()")
    op.drop_table("cache_version")
