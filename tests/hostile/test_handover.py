"""R15 hostile inputs: an entry on a post's duty log (lib.services.handover.add_log_entry)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.services import accounts, handover
from lib.services.accounts import OrgForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE


def setup(engine):
    admin = make_user(engine, username="admin", name="管理员", role="admin")
    post_id = accounts.save_org_unit(engine, actor=admin, form=OrgForm(kind="post", name="中控室"))
    return {"guard": make_user(engine, username="guard", name="中控小赵", titles=("中控员",)), "post": post_id}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("handover", setup)


forms = hs.form({
    "post": (st.just("post"), st.sampled_from([None, "ghost"])),
    "text": (hs.SHORT, hs.text()), "abnormal": (st.booleans(), st.booleans()),
})


@HOSTILE
@given(data=forms)
def test_R15_handover_log_entry_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = dt.datetime.now(dt.timezone.utc)

    def attempt(engine, ctx):
        post_id = {"post": ctx["post"], None: None, "ghost": 987654}[data["post"]]
        handover.add_log_entry(engine, actor=ctx["guard"], post_id=post_id, text=data["text"],
                               abnormal=data["abnormal"], now=now)
        row = max(handover.log(engine, actor=ctx["guard"], post_id=post_id, now=now), key=lambda r: r.id)
        got = (row.at, row.author, row.text, row.abnormal)
        expected = (now, ctx["guard"].name, hs.typed(data["text"]), data["abnormal"])
        return got, expected

    layer.check(attempt)


def test_R15_a_log_entry_on_a_post_that_does_not_exist_is_refused_on_both_backends(engine):
    """Found by the layer: an unknown post id reached the INSERT and came back as a foreign-key IntegrityError."""
    from lib.domain.errors import ValidationFailed
    from tests.hostile.conftest import table_counts

    ctx = setup(engine)
    before = table_counts(engine)
    with pytest.raises(ValidationFailed) as refused:
        handover.add_log_entry(engine, actor=ctx["guard"], post_id=987654, text="空调漏水")
    assert refused.value.keys() == {"handover_post": "field.bad_choice"}
    assert table_counts(engine) == before
