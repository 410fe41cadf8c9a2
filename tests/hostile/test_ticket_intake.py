"""R15 hostile inputs: a customer-service ticket intake (lib.services.tickets.write.log_ticket)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.services.tickets import write as tickets
from lib.services.tickets import read as tickets_read
from lib.services.tickets.write import TicketForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

TYPES = ["inquiry", "suggestion", "complaint", "repair", "service_request"]
CHANNELS = ["phone", "letter", "visit", "online"]
CATEGORIES = ["trade_dispute", "order", "top_up", "supplier", "inquiry"]
CAUSES = ["service_shortfall", "staff_selfishness", "staff_attitude", "interdepartment_dispute", "other"]
KINDS = ["paid", "contract", "free", "internal"]
PAST = st.integers(min_value=1, max_value=400).map(lambda d: dt.date.today() - dt.timedelta(days=d))


def setup(engine):
    return {"agent": make_user(engine, username="agent", name="客服小何", titles=("客服专员",)),
            "boss": make_user(engine, username="boss", name="客服主管", role="admin")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("ticket intake", setup)


def maybe(values):
    return st.none() | st.sampled_from(values)


forms = hs.form({
    "type": (st.sampled_from(TYPES), hs.choice(TYPES) | st.none()),
    "channel": (st.sampled_from(CHANNELS), hs.choice(CHANNELS) | st.none()),
    "phone": (hs.plausible_phone().filter(bool), hs.phone()), "customer_name": (hs.NAMES, hs.text()),
    "address": (hs.SHORT, hs.text()), "problem": (hs.SHORT, hs.text()),
    "confirmed": (st.just(True), st.booleans()),
    "category": (maybe(CATEGORIES), hs.choice(CATEGORIES)), "cause": (maybe(CAUSES), hs.choice(CAUSES)),
    "service_kind": (maybe(KINDS), hs.choice(KINDS)),
    "product_model": (hs.SHORT | st.just(""), hs.text()), "product_spec": (hs.SHORT | st.just(""), hs.text()),
    "purchase_date": (st.none() | PAST, hs.dates()), "purchase_place": (hs.SHORT | st.just(""), hs.text()),
    "fault": (hs.SHORT | st.just(""), hs.text()),
    "agent_no": (st.from_regex(r"[A-Z]?[0-9]{3,6}", fullmatch=True), hs.text(40)),
    "received_at": (st.none(), hs.datetimes()), "received_reason": (st.just(""), hs.text()),
    "flags": (st.booleans(), st.booleans()),
})


@HOSTILE
@given(data=forms)
def test_R15_ticket_intake_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        form = TicketForm(
            type=data["type"], channel=data["channel"], phone=data["phone"], customer_name=data["customer_name"],
            address=data["address"], problem=data["problem"], problem_confirmed=data["confirmed"],
            address_confirmed=data["confirmed"], name_confirmed=data["confirmed"], phone_confirmed=data["confirmed"],
            category=data["category"], cause=data["cause"], compensation_involved=data["flags"],
            resident=data["flags"], product_model=data["product_model"], product_spec=data["product_spec"],
            purchase_date=data["purchase_date"], purchase_place=data["purchase_place"], fault=data["fault"],
            service_kind=data["service_kind"], out_of_town=data["flags"], agent_no=data["agent_no"],
            received_at=data["received_at"], received_reason=data["received_reason"])
        result = tickets.log_ticket(engine, actor=ctx["agent"], form=form, now=now)
        detail = tickets_read.ticket_detail(engine, actor=ctx["boss"], ticket_id=result.id, now=now)
        row = detail.row
        got = (row.type, row.channel, row.customer_name, row.phone, row.address, row.problem, row.category,
               row.received_at)
        expected = (data["type"], data["channel"], hs.typed(data["customer_name"]), hs.typed(data["phone"]),
                    hs.typed(data["address"]), hs.typed(data["problem"]), data["category"],
                    data["received_at"] or now)
        if row.flow == "repair":
            got += tuple(detail.facts.get(k) for k in ("product_model", "product_spec", "purchase_place"))
            expected += tuple(hs.typed(data[k]) for k in ("product_model", "product_spec", "purchase_place"))
        return got, expected

    layer.check(attempt)
