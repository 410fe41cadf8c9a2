"""Person pickers offer only people who may hold the role, and services refuse anyone else (T2)."""

from __future__ import annotations

import pytest

from lib.domain.errors import DomainError
from lib.services import people
from tests.db.helpers import make_user


def test_T2_same_name_consultant_and_operator_are_told_apart(engine):
    consultant = make_user(engine, username="c1", name="王伟", titles=["销售顾问"])
    operator = make_user(engine, username="o1", name="王伟", titles=["中控员"])
    make_user(engine, username="tv", name="王伟", role="display")
    receivers = people.options(engine, "receiver")
    assert [c.id for c in receivers] == [consultant.id]
    everyone = {c.id for c in people.options(engine, "staff")}
    assert everyone == {consultant.id, operator.id}
    from db.engine import session_scope
    from db.models import User

    with session_scope(engine) as session:
        session.get(User, consultant.id).staff_no = "007"
    assert people.labels(engine, "receiver")[consultant.id] == "王伟（007）"


def test_T2_service_check_refuses_someone_the_picker_would_not_offer(engine):
    from db.engine import session_scope

    operator = make_user(engine, username="o1", name="王伟", titles=["中控员"])
    technician = make_user(engine, username="t1", name="李强", titles=["维修人员"])
    with session_scope(engine, write=False) as session:
        people.require_eligible(session, technician.id, "technician")
        with pytest.raises(DomainError) as refused:
            people.require_eligible(session, operator.id, "technician")
    assert refused.value.key == "people.not_eligible.technician"
