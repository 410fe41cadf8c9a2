"""R15 hostile inputs: a step in a warning case (lib.services.kpi.warning_cases.record_step)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.services.kpi import warning_cases as kpi_warnings
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

TRACKS = ["cs", "sales"]
EVENTS = list(kpi_warnings.EVENTS)


def setup(engine):
    return {"boss": make_user(engine, username="boss", name="主管老郑", role="supervisor"),
            "a": make_user(engine, username="a", name="员工小甲"), "b": make_user(engine, username="b", name="员工小乙")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("warning case", setup)


forms = hs.form({
    "person": (st.sampled_from(["a", "b"]), st.sampled_from([None, "ghost"])),
    "track": (st.sampled_from(TRACKS), hs.choice(TRACKS)), "event": (st.sampled_from(EVENTS), hs.choice(EVENTS)),
    "note": (hs.SHORT | st.just(""), hs.text()), "seen": (st.just("current"), st.none() | hs.integer(0, 100)),
})


@HOSTILE
@given(data=forms)
def test_R15_warning_case_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        person_id = {"a": ctx["a"].id, "b": ctx["b"].id, None: None, "ghost": 987654}[data["person"]]
        seen = data["seen"]
        if seen == "current" and data["track"] not in TRACKS:
            seen = 0  # the track comes from a select box: its history is never read with a forged one
        if seen == "current":
            seen = len(kpi_warnings.history(engine, actor=ctx["boss"], person_id=person_id, track=data["track"]))
        stage = kpi_warnings.record_step(engine, actor=ctx["boss"], person_id=person_id, track=data["track"],
                                         event=data["event"], note=data["note"], seen_seq=seen, now=now)
        row = kpi_warnings.history(engine, actor=ctx["boss"], person_id=person_id, track=data["track"])[-1]
        got = (row.event, row.stage, row.note, row.by, row.at)
        expected = (data["event"], stage, hs.typed(data["note"]), ctx["boss"].name, now)
        return got, expected

    layer.check(attempt)
