"""Database triggers for register tables (migrations on the ``registers`` branch call these).

The step table is append-only like ``audit_event`` (migration 0002): UPDATE and DELETE are refused by the
database itself. A register entry is never deleted (a locked one is corrected by a new version), so its
table refuses DELETE.
"""

from __future__ import annotations

from alembic import op


def _refuse(table: str, actions: tuple[str, ...], message: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_refuse() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{message}'; END;
            $$ LANGUAGE plpgsql
        """)
        op.execute(f"""CREATE TRIGGER {table}_no_change BEFORE {' OR '.join(actions)} ON {table}
                       FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""")
    else:
        for action in actions:
            op.execute(f"""CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
                           BEGIN SELECT RAISE(ABORT, '{message}'); END""")


def _drop(table: str, actions: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION {table}_refuse()")
    else:
        for action in actions:
            op.execute(f"DROP TRIGGER {table}_no_{action.lower()}")


def append_only(table: str) -> None:
    _refuse(table, ("UPDATE", "DELETE"), f"{table} is append-only")


def drop_append_only(table: str) -> None:
    _drop(table, ("UPDATE", "DELETE"))


def never_deleted(table: str) -> None:
    _refuse(table, ("DELETE",), f"{table} entries are never deleted")


def drop_never_deleted(table: str) -> None:
    _drop(table, ("DELETE",))
