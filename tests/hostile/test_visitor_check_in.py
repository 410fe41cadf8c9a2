"""R15 hostile inputs: visitor check-in at the desk (lib.services.visitors.register.register_visitor)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.visitors import VisitorForm
from lib.services.visitors import register as visitors
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE


def setup(engine):
    return {"desk": make_user(engine, username="desk", name="前台小王"),
            "host": make_user(engine, username="host", role="supervisor", name="主管老李")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("visitor check-in", setup)


HOSTS = st.sampled_from(["host", "desk", None])
forms = hs.form({
    "name": (hs.NAMES, hs.text()), "headcount": (hs.plausible_int(1, 20), hs.integer(1, 200)),
    "purpose": (hs.SHORT, hs.text()), "company": (hs.SHORT, hs.text()), "phone": (hs.plausible_phone(), hs.phone()),
    "host": (HOSTS, st.sampled_from(["ghost", None])), "has_appointment": (st.booleans(), st.booleans()),
    "destination": (st.sampled_from(["reception_area", "meeting_room"]), hs.choice(["reception_area"])),
    "level": (st.sampled_from(["high", "standard"]), hs.choice(["high"])),
    "time_in": (hs.recent_datetime(), hs.datetimes()), "note": (hs.SHORT | st.just(""), hs.text()),
})


@HOSTILE
@given(data=forms)
def test_R15_visitor_check_in_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        host_id = {"host": ctx["host"].id, "desk": ctx["desk"].id, None: None, "ghost": 987654}[data["host"]]
        form = VisitorForm(name=data["name"], headcount=data["headcount"], purpose=data["purpose"],
                           company=data["company"], phone=data["phone"], host_id=host_id,
                           has_appointment=data["has_appointment"], destination=data["destination"],
                           level=data["level"], time_in=data["time_in"], note=data["note"])
        entry_id = visitors.register_visitor(engine, actor=ctx["desk"], form=form, now=now)
        row = next(r for r in visitors.on_site(engine, actor=ctx["desk"]) if r.id == entry_id)
        visitors.check_out_visitor(engine, actor=ctx["desk"], visitor_id=entry_id, now=now)
        got = (row.name, row.headcount, row.purpose, row.company, row.phone, row.host_id, row.has_appointment,
               row.destination, row.level, row.time_in, row.note)
        expected = (hs.typed(data["name"]), int(hs.typed(data["headcount"])), hs.typed(data["purpose"]),
                    hs.typed(data["company"]), hs.typed(data["phone"]), host_id, data["has_appointment"],
                    data["destination"], data["level"], data["time_in"] or now, hs.typed(data["note"]))
        return got, expected

    layer.check(attempt)
