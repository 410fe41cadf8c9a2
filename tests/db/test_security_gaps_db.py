"""Small gaps of issue 12 on SQLite and PostgreSQL: a warning history asked for a track that is not one (a NUL
raised a PostgreSQL DataError), and a demotion reason too long for the queue (it was cut at 500 characters)."""

from __future__ import annotations


import pytest

from db.models import DemotionDecision, QueueDemotion
from lib.domain.errors import ValidationFailed
from lib.services.kpi import rankings as kpi
from lib.services.kpi import warning_cases
from tests.db.helpers import count, make_user
from tests.db.test_kpi_db import D, at, enter, floor  # noqa: F401 - the KPI floor fixture


@pytest.mark.parametrize("track", ["\x00", "cs\x00", "x" * 11, "销售", ""])
def test_R15_warning_history_refuses_a_track_that_is_not_one(engine, track):
    boss = make_user(engine, username="boss", role="supervisor")
    with pytest.raises(ValidationFailed) as refused:
        warning_cases.history(engine, actor=boss, person_id=boss.id, track=track)
    assert refused.value.keys() == {"warning_track": "field.bad_choice"}


def test_R3_warning_history_of_a_person_number_no_row_can_have_is_empty(engine):
    boss = make_user(engine, username="boss", role="supervisor")
    assert warning_cases.history(engine, actor=boss, person_id=2**40, track="cs") == []
    assert warning_cases.history(engine, actor=boss, person_id=boss.id, track="cs") == []


def test_R4_a_demotion_reason_too_long_for_the_queue_is_refused_with_the_room_left_not_cut(engine, floor):  # noqa: F811
    boss, people = floor
    enter(engine, boss, people, D(2026, 3, 1), last=6)
    enter(engine, boss, people, D(2026, 4, 1), last=6)
    decide = dict(consultant_id=people[5].id, trigger_month=D(2026, 4, 1), confirm=True, now=at(D(2026, 4, 30)))
    with pytest.raises(ValidationFailed) as refused:
        kpi.decide_demotion(engine, actor=boss, reason="按制度执行" * 99, **decide)  # 495 characters, fits its own box
    [error] = refused.value.errors
    assert (error.field, error.key) == ("kpi_reason", "field.too_long")
    assert 400 < error.params["max"] < 495  # the room the queue's wording leaves
    assert count(engine, DemotionDecision) == 0 and count(engine, QueueDemotion) == 0  # nothing half-written
    kpi.decide_demotion(engine, actor=boss, reason="按" * error.params["max"], **decide)
    assert count(engine, QueueDemotion) == 1
