"""R15 hostile inputs: a customer's enquiry by phone (lib.services.showroom.enquiries.log_enquiry)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.services.showroom import enquiries as showroom_enquiries
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def setup(engine):
    return {"staff": make_user(engine, username="staff", name="销售小张")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("enquiry", setup)


PROMISED = st.integers(min_value=3600, max_value=86400 * 3).map(lambda s: NOW + dt.timedelta(seconds=s))
forms = hs.form({
    "question": (hs.SHORT, hs.text()), "status": (st.sampled_from(["open", "answered"]), hs.choice(["open"])),
    "promised": (PROMISED, hs.datetimes()), "caller_name": (hs.NAMES | st.just(""), hs.text()),
    "caller_phone": (hs.plausible_phone(), hs.phone()), "answer": (hs.SHORT, hs.text()),
})


@HOSTILE
@given(data=forms)
def test_R15_enquiry_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = max(NOW, dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    def attempt(engine, ctx):
        enquiry_id, _ = showroom_enquiries.log_enquiry(
            engine, actor=ctx["staff"], question=data["question"], status=data["status"],
            promised_response_at=data["promised"], caller_name=data["caller_name"],
            caller_phone=data["caller_phone"], answer=data["answer"], now=now)
        row = next(r for r in showroom_enquiries.enquiry_board(engine, actor=ctx["staff"], now=now)
                   if r.id == enquiry_id)
        if row.status == "open":
            showroom_enquiries.answer_enquiry(engine, actor=ctx["staff"], enquiry_id=enquiry_id, answer="已回复",
                                              now=now)
        answered = data["status"] == "answered"
        got = (row.question, row.status, row.promised_response_at, row.caller_name, row.caller_phone, row.answer)
        expected = (hs.typed(data["question"]), data["status"], None if answered else data["promised"],
                    hs.typed(data["caller_name"]), hs.typed(data["caller_phone"]),
                    hs.typed(data["answer"]))
        return got, expected

    layer.check(attempt)


def test_R15_a_promised_time_without_a_zone_is_refused_on_both_backends(engine):
    """Found by the layer: a naive promised response time raised TypeError comparing it with now."""
    from lib.domain.errors import ValidationFailed
    from tests.hostile.conftest import table_counts

    ctx = setup(engine)
    before = table_counts(engine)
    with pytest.raises(ValidationFailed) as refused:
        showroom_enquiries.log_enquiry(engine, actor=ctx["staff"], question="保修期多久", status="open",
                                       promised_response_at=dt.datetime(2030, 1, 1, 9, 0))
    assert refused.value.keys() == {"enquiry_promised_response_at": "field.bad_time"}
    assert table_counts(engine) == before
