"""R15 hostile inputs: a manager proposing a ledger entry (lib.services.ledger.propose_entry)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.ledger import CATALOGUE
from lib.services import ledger
from lib.services.ledger import ViolationFacts
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

CODES = sorted(CATALOGUE)  # every code of the catalogue, those added later (LG2, VL1) included
PAST = st.integers(min_value=1, max_value=200).map(lambda d: dt.date.today() - dt.timedelta(days=d))
MONEY = st.none() | st.decimals(min_value=0, max_value=20000, places=2).map(str)
HOSTILE_MONEY = st.one_of(hs.integer(0, 10**6), st.decimals().map(str), st.floats(),
                          st.sampled_from(["NaN", "-1", "1e400", "sNaN", "Infinity", "一百", " 5 "]))
SMALL = st.none() | st.integers(min_value=1, max_value=30)


def setup(engine):
    return {"boss": make_user(engine, username="boss", name="经理老林", role="supervisor", titles=("部门经理",)),
            "staff": make_user(engine, username="staff", name="员工小冯")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("ledger proposal", setup)


facts = st.builds(ViolationFacts, amount=MONEY, quantity=st.integers(1, 5), serious=st.booleans(),
                  traceable=st.just(True),
                  minutes=SMALL, days=st.integers(1, 5), day_pay=MONEY, month_pay=MONEY, month_bonus=MONEY)
hostile_facts = st.builds(ViolationFacts, amount=HOSTILE_MONEY, quantity=hs.integer(1, 100), serious=st.booleans(),
                          traceable=st.booleans(), minutes=hs.integer(0, 600), days=hs.integer(1, 31),
                          day_pay=HOSTILE_MONEY, month_pay=HOSTILE_MONEY, month_bonus=HOSTILE_MONEY)
forms = hs.form({
    "person": (st.just("staff"), st.sampled_from([None, "ghost", "boss"])),
    "code": (st.sampled_from(CODES), hs.choice(CODES) | st.none()), "occurred_on": (PAST, hs.dates()),
    "facts": (facts, hostile_facts), "note": (hs.SHORT | st.just(""), hs.text()),
})


@HOSTILE
@given(data=forms)
def test_R15_ledger_proposal_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        person_id = {"staff": ctx["staff"].id, "boss": ctx["boss"].id, None: None, "ghost": 987654}[data["person"]]
        ids = ledger.propose_entry(engine, actor=ctx["boss"], person_id=person_id, code=data["code"],
                                   occurred_on=data["occurred_on"], facts=data["facts"], note=data["note"], now=now)
        day = data["occurred_on"]
        rows = [r for r in ledger.entries(engine, actor=ctx["boss"], first=day, last=day) if r.id in ids]
        got = sorted((r.code, r.occurred_on, r.note, r.status, r.fine >= 0, r.compensation >= 0) for r in rows)
        expected = [(data["code"], day, hs.typed(data["note"]), "proposed", True, True)] * len(ids)
        assert len(rows) == len(ids) >= 1
        return got, expected

    layer.check(attempt)


@pytest.mark.parametrize("facts", [ViolationFacts(amount=str(10**30), traceable=False),
                                   ViolationFacts(amount="20000000000"),
                                   ViolationFacts(amount="10", quantity=float("inf"))],
                         ids=["split-1e30", "2e10-charges", "infinite-quantity"])
def test_R15_ledger_figures_beyond_the_money_column_are_refused_on_both_backends(engine, facts):
    """Found by the layer: PH5 charges of 1e30 split over a team raised decimal.InvalidOperation, 2e10 overflowed
    NUMERIC(12, 2) on PostgreSQL (stored as a float on SQLite), an infinite quantity raised OverflowError."""
    from lib.domain.errors import ValidationFailed
    from tests.hostile.conftest import table_counts

    people = setup(engine)
    before = table_counts(engine)
    with pytest.raises(ValidationFailed) as refused:
        ledger.propose_entry(engine, actor=people["boss"], person_id=people["staff"].id, code="PH5",
                             occurred_on=dt.date.today() - dt.timedelta(days=2), facts=facts)
    assert {e.key for e in refused.value.errors} & {"ledger.number_too_large", "ledger.not_a_number"}
    assert table_counts(engine) == before
