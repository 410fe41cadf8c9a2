"""R15 hostile inputs: a 《客户接待申请表》 draft (lib.services.reception_desk.create_application)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.services import reception_desk
from lib.services.reception_desk import MealForm, ReceptionForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

SOON = st.integers(min_value=0, max_value=60).map(lambda d: dt.date.today() + dt.timedelta(days=d))
MONEY = st.one_of(st.integers(min_value=0, max_value=2000), st.decimals(min_value=0, max_value=5000, places=2))
HOSTILE_MONEY = st.one_of(hs.integer(0, 100000), st.decimals(),
                          st.sampled_from(["NaN", "-1", "1e400", "sNaN", "", "一百"]))
MEALS = st.lists(st.builds(MealForm, venue=st.sampled_from(["canteen", "outside"]), diners=st.integers(1, 12),
                           cost=MONEY, paid_by_guest=st.booleans()), max_size=3)
HOSTILE_MEALS = st.lists(st.builds(MealForm, venue=hs.choice(["canteen", "outside"]), diners=hs.integer(1, 50),
                                   cost=HOSTILE_MONEY, paid_by_guest=st.booleans()), max_size=4)


def setup(engine):
    return {"staff": make_user(engine, username="office", name="行政小刘")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("reception application", setup)


forms = hs.form({
    "guest_count": (st.integers(1, 30), hs.integer(1, 500)),
    "reception_class": (st.sampled_from(["A", "B", "C", "D"]), hs.choice(["A"]) | st.none()),
    "starts_on": (SOON, hs.dates()), "ends_on": (st.none() | SOON, hs.dates()),
    "reason": (hs.SHORT, hs.text()), "host": (hs.NAMES, hs.text()), "requirements": (hs.SHORT | st.just(""), hs.text()),
    "guest_title": (hs.SHORT | st.just(""), hs.text()), "needs_leader": (st.booleans(), st.booleans()),
    "meals": (MEALS, HOSTILE_MEALS),
})


@HOSTILE
@given(data=forms)
def test_R15_reception_application_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        form = ReceptionForm(**{k: (tuple(v) if k == "meals" else v) for k, v in data.items()})
        application_id, _ = reception_desk.create_application(engine, actor=ctx["staff"], form=form, now=now)
        day = data["starts_on"]
        row = next(r for r in reception_desk.applications(engine, actor=ctx["staff"], first=day, last=day, now=now)
                   if r.id == application_id)
        got = (row.guest_count, row.reception_class, row.starts_on, row.ends_on, row.reason, row.host,
               row.guest_title, row.meals)
        expected = (data["guest_count"], data["reception_class"], data["starts_on"],
                    data["ends_on"] or data["starts_on"], hs.typed(data["reason"]), hs.typed(data["host"]),
                    hs.typed(data["guest_title"]), len(data["meals"]))
        return got, expected

    layer.check(attempt)


@pytest.mark.parametrize("guest_count, meal", [
    (2**31, None), (10**30, None), ("3", None),
    (3, MealForm("canteen", 2**40, "50")), (3, MealForm("outside", "两位", "50")),
    (3, MealForm("canteen", 2, "NaN")), (3, MealForm("canteen", 2, "1e12")),
    (3, "year-9999"),
], ids=["int32-overflow", "huge", "text", "diners-overflow", "diners-text", "cost-nan", "cost-overflow", "year-9999"])
def test_R15_guest_counts_and_meals_beyond_their_columns_are_refused_on_both_backends(engine, guest_count, meal):
    """Found by the layer: 2**31 guests overflowed INTEGER (PostgreSQL DataError, SQLite OverflowError), text guests
    raised TypeError, a NaN cost InvalidOperation, text diners ValueError, a cost over NUMERIC(12, 2) a DataError,
    and a reception ending on 9999-12-31 an OverflowError counting its feedback due date."""
    from lib.domain.errors import ValidationFailed
    from tests.hostile.conftest import table_counts

    ctx = setup(engine)
    before = table_counts(engine)
    far = meal == "year-9999"
    form = ReceptionForm(guest_count=guest_count, reception_class="B", starts_on=dt.date.today(), reason="考察",
                         host="张经理", ends_on=dt.date.max if far else None,
                         meals=(meal,) if meal and not far else ())
    with pytest.raises(ValidationFailed):
        reception_desk.create_application(engine, actor=ctx["staff"], form=form)
    assert table_counts(engine) == before
