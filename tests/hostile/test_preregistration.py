"""R15 hostile inputs: visitor pre-registration by a host (lib.services.visitors.prereg.create_prereg)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.visitors import PreregForm
from lib.services.visitors import prereg as visitor_prereg
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE


def setup(engine):
    return {"host": make_user(engine, username="host", name="主管老李", role="supervisor"),
            "desk": make_user(engine, username="desk", name="前台小王")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("pre-registration", setup)


SOON = st.integers(min_value=0, max_value=20).map(lambda d: dt.date.today() + dt.timedelta(days=d))
forms = hs.form({
    "name": (hs.NAMES, hs.text()), "phone": (hs.plausible_phone(), hs.phone()), "company": (hs.SHORT, hs.text()),
    "purpose": (hs.SHORT, hs.text()), "headcount": (hs.plausible_int(1, 20), hs.integer(1, 200)),
    "expected_day": (SOON, hs.dates()), "expected_time": (st.none() | st.times(), st.none() | st.times()),
    "host": (st.sampled_from(["host", "desk"]), st.sampled_from(["ghost", None])),
})


@HOSTILE
@given(data=forms)
def test_R15_preregistration_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        host_id = {"host": ctx["host"].id, "desk": ctx["desk"].id, None: None, "ghost": 987654}[data["host"]]
        form = PreregForm(name=data["name"], phone=data["phone"], company=data["company"], purpose=data["purpose"],
                          headcount=data["headcount"], expected_day=data["expected_day"],
                          expected_time=data["expected_time"], host_id=host_id)
        made = visitor_prereg.create_prereg(engine, actor=ctx["host"], form=form, now=now)
        row = visitor_prereg.prereg_by_id(engine, actor=ctx["host"], prereg_id=made.id)
        got = (row.name, row.phone, row.company, row.purpose, row.headcount, row.expected_day, row.expected_time,
               row.host_id)
        expected = (hs.typed(data["name"]), hs.typed(data["phone"]), hs.typed(data["company"]),
                    hs.typed(data["purpose"]), int(hs.typed(data["headcount"])), data["expected_day"],
                    data["expected_time"], host_id)
        return got, expected

    layer.check(attempt)
