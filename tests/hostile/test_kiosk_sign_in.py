"""R15 hostile inputs: a visitor signing in at the kiosk (lib.services.visitors.kiosk.kiosk_sign_in)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.visitors import VisitorForm
from lib.services.visitors import kiosk as visitor_kiosk
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE


def setup(engine):
    admin = make_user(engine, username="admin", name="管理员", role="admin")
    kiosk_id, token = visitor_kiosk.create_kiosk(engine, actor=admin, label="大堂平板")
    return {"desk": make_user(engine, username="desk", name="前台小王"),
            "kiosk": visitor_kiosk.kiosk_access(engine, token)}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("kiosk sign-in", setup)


forms = hs.form({
    "name": (hs.NAMES, hs.text()), "headcount": (hs.plausible_int(1, 20), hs.integer(1, 200)),
    "purpose": (hs.SHORT, hs.text()), "company": (hs.SHORT | st.just(""), hs.text()),
    "phone": (hs.plausible_phone(), hs.phone()), "host_text": (hs.NAMES | st.just(""), hs.text()),
})


@HOSTILE
@given(data=forms)
def test_R15_kiosk_sign_in_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        form = VisitorForm(name=data["name"], headcount=data["headcount"], purpose=data["purpose"],
                           company=data["company"], phone=data["phone"])
        sign_in_id = visitor_kiosk.kiosk_sign_in(engine, kiosk=ctx["kiosk"], form=form, host_text=data["host_text"],
                                                 now=now)
        row = next(r for r in visitor_kiosk.pending_sign_ins(engine, actor=ctx["desk"]) if r.id == sign_in_id)
        visitor_kiosk.reject_sign_in(engine, actor=ctx["desk"], sign_in_id=sign_in_id, now=now)
        got = (row.name, row.headcount, row.purpose, row.company, row.phone, row.host_text)
        expected = (hs.typed(data["name"]), int(hs.typed(data["headcount"])), hs.typed(data["purpose"]),
                    hs.typed(data["company"]), hs.typed(data["phone"]), hs.typed(data["host_text"]))
        return got, expected

    layer.check(attempt)
