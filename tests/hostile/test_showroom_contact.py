"""R15 hostile inputs: a showroom 来店/来电 registration (lib.services.showroom.write.register_contact)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.phones import normalise_phone
from lib.services.showroom import write as showroom
from lib.services.showroom import read as showroom_read
from lib.services.showroom.write import RegisterForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE


def setup(engine):
    return {"boss": make_user(engine, username="boss", name="店长老孙", role="supervisor"),
            "a": make_user(engine, username="a", name="顾问小钱", titles=("销售顾问",)),
            "b": make_user(engine, username="b", name="顾问小吴", titles=("实习销售顾问",)),
            "desk": make_user(engine, username="desk", name="前台小王")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("showroom contact registration", setup)


forms = hs.form({
    "channel": (st.sampled_from(["walk_in", "call"]), hs.choice(["walk_in"]) | st.none()),
    "customer_name": (hs.NAMES, hs.text()), "phone": (hs.plausible_phone().filter(bool), hs.phone()),
    "matter": (hs.SHORT, hs.text()), "visit_date": (st.just("today"), hs.dates()),
    "details": (hs.SHORT | st.just(""), hs.text()),
    "receiver": (st.sampled_from(["a", "b"]), st.sampled_from(["desk", "ghost", "boss"])),
    "requested": (st.sampled_from([None, "a", "b"]), st.sampled_from(["desk", "ghost"])),
    "recognised": (st.booleans(), st.booleans()),
})


@HOSTILE
@given(data=forms)
def test_R15_showroom_contact_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        def person(key):
            return None if key is None else (987654 if key == "ghost" else ctx[key].id)

        day = data["visit_date"]
        if day == "today":
            day = showroom_read.day_sheet(engine, actor=ctx["boss"], now=now).day
        form = RegisterForm(channel=data["channel"], customer_name=data["customer_name"], phone=data["phone"],
                            matter=data["matter"], visit_date=day, details=data["details"],
                            receiver_id=person(data["receiver"]), requested_consultant_id=person(data["requested"]),
                            recognised_by_owner=data["recognised"])
        result = showroom.register_contact(engine, actor=ctx["desk"], form=form, now=now)
        sheet = showroom_read.day_sheet(engine, actor=ctx["boss"], day=day, now=now)
        row = next(r for r in sheet.contacts if r.id == result.contact_id)
        got = (row.channel, row.customer_name, normalise_phone(row.phone), row.matter, row.details, row.receiver_id,
               row.recognised)
        expected = (data["channel"], hs.typed(data["customer_name"]), normalise_phone(hs.typed(data["phone"])),
                    hs.typed(data["matter"]), hs.typed(data["details"]), person(data["receiver"]),
                    data["recognised"])
        return got, expected

    layer.check(attempt)
