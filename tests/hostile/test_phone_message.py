"""R15 hostile inputs: phone message (lib.services.visitors.register.log_message)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.visitors import MessageForm
from lib.services.visitors import register as visitors
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE


def setup(engine):
    return {"desk": make_user(engine, username="desk", name="前台小王"),
            "host": make_user(engine, username="host", role="supervisor", name="主管老李")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("phone message", setup)


forms = hs.form({
    "called_at": (hs.recent_datetime(), hs.datetimes()), "caller_name": (hs.NAMES, hs.text()),
    "caller_phone": (hs.plausible_phone(), hs.phone()), "matter": (hs.SHORT, hs.text()),
    "related": (hs.SHORT | st.just(""), hs.text()),
    "relay_to": (st.sampled_from(["host", "desk"]), st.sampled_from(["ghost", None])),
})


@HOSTILE
@given(data=forms)
def test_R15_phone_message_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        relay_to = {"host": ctx["host"].id, "desk": ctx["desk"].id, None: None, "ghost": 987654}[data["relay_to"]]
        form = MessageForm(called_at=data["called_at"], caller_name=data["caller_name"],
                           caller_phone=data["caller_phone"], matter=data["matter"], related=data["related"],
                           relay_to_id=relay_to)
        message_id = visitors.log_message(engine, actor=ctx["desk"], form=form, now=now)
        row = next(r for r in visitors.message_board(engine, actor=ctx["desk"], now=now) if r.id == message_id)
        visitors.relay_message(engine, actor=ctx["desk"], message_id=message_id, now=now)
        got = (row.called_at, row.caller_name, row.caller_phone, row.matter, row.related, row.relay_to_id)
        expected = (data["called_at"] or now, hs.typed(data["caller_name"]), hs.typed(data["caller_phone"]),
                    hs.typed(data["matter"]), hs.typed(data["related"]), relay_to)
        return got, expected

    layer.check(attempt)
