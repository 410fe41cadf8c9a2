"""R15 hostile inputs: a restricted-area access entry (lib.services.access_log.register_entry)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.services import access_log
from lib.services.access_log import AccessForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

AREAS = ["machine_room", "control_room", "fire_room"]
CATEGORIES = ["external", "other_department", "visit", "support_staff"]


def setup(engine):
    return {"staff": make_user(engine, username="guard", name="中控小赵"),
            "escort": make_user(engine, username="escort", name="陪同老周", role="supervisor")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("access entry", setup)


forms = hs.form({
    "area": (st.sampled_from(AREAS[:2]), hs.choice(AREAS) | st.none()),
    "category": (st.sampled_from(CATEGORIES), hs.choice(CATEGORIES) | st.none()),
    "name": (hs.NAMES, hs.text()), "purpose": (hs.SHORT, hs.text()), "unit": (hs.SHORT | st.just(""), hs.text()),
    "escort": (st.sampled_from(["escort", None]), st.sampled_from(["ghost", "staff"])),
    "escort_name": (hs.NAMES | st.just(""), hs.text()), "companion": (hs.NAMES | st.just(""), hs.text()),
    "signed": (st.booleans(), st.booleans()),
})


@HOSTILE
@given(data=forms)
def test_R15_access_entry_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def attempt(engine, ctx):
        escort = {"escort": ctx["escort"], "staff": ctx["staff"], None: None, "ghost": None}[data["escort"]]
        escort_id = 987654 if data["escort"] == "ghost" else (escort.id if escort else None)
        form = AccessForm(area=data["area"], category=data["category"], name=data["name"], purpose=data["purpose"],
                          unit=data["unit"], escort_id=escort_id, escort_name=data["escort_name"],
                          companion=data["companion"], signed=data["signed"])
        entry_id = access_log.register_entry(engine, actor=ctx["staff"], form=form, now=now)
        row = next(r for r in access_log.register_today(engine, actor=ctx["staff"], now=now) if r.id == entry_id)
        got = (row.area, row.category, row.name, row.purpose, row.unit, row.escort, row.companion, row.signed)
        expected = (data["area"], data["category"], hs.typed(data["name"]), hs.typed(data["purpose"]),
                    hs.typed(data["unit"]), escort.name if escort else hs.typed(data["escort_name"]),
                    hs.typed(data["companion"]), data["signed"])
        return got, expected

    layer.check(attempt)
