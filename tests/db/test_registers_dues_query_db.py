"""Issue 15 I3 for the register provider: the inbox reads every register's open deadlines in one indexed query
(UNION ALL over the tables' ``due_at``), not one query per register (76 of them: 15 ms at scale 10, now 4 ms)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from lib.domain.registers import REGISTRY
from lib.services import registers as R
from tests.db.registers_family_kit import NOW, make_office, sample_values


def _statements(engine, call) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_I3_open_register_deadlines_are_one_query_over_every_register(engine):
    people = make_office(engine)
    loan = R.create_entry(engine, actor=people["applicant"], register="general_loan", now=NOW,
                          values=sample_values("general_loan", people["applicant"].id))
    later = NOW + dt.timedelta(days=60)
    statements = _statements(engine, lambda: R.open_dues(engine, later))
    due_reads = [s for s in statements if "due_at IS NOT NULL" in s and "reg_" in s and "reg_custom" not in s]
    assert len(due_reads) == 1 and due_reads[0].count("UNION ALL") == len(REGISTRY) - 1
    assert loan in [i.entry_id for i in R.open_dues(engine, later) if i.register == "general_loan"]
