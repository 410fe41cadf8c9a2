"""R15 hostile inputs: a roster request, here the absence from a post (lib.services.roster.file_absence)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from db.engine import session_scope
from db.models import RosterAbsence
from lib.services import accounts, roster
from lib.services.accounts import OrgForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

REASONS = ["official", "private", "urgent"]
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, second=0)
TICK = itertools.count()
SOON = st.integers(min_value=1, max_value=72).map(lambda h: NOW + dt.timedelta(hours=h))


def setup(engine):
    admin = make_user(engine, username="admin", name="管理员", role="admin")
    post_id = accounts.save_org_unit(engine, actor=admin, form=OrgForm(kind="post", name="前台"))
    return {"staff": make_user(engine, username="desk", name="前台小王"), "post": post_id,
            "cover": make_user(engine, username="cover", name="前台小李")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("roster request (absence)", setup)


forms = hs.form({
    "post": (st.just("post"), st.sampled_from([None, "ghost"])), "starts_at": (SOON, hs.datetimes()),
    "hours": (st.integers(1, 8), st.integers(-48, 10**5)), "ends_at": (st.just("after"), hs.datetimes()),
    "reason": (st.sampled_from(REASONS), hs.choice(REASONS) | st.none()),
    "cover": (st.sampled_from([None, "cover"]), st.sampled_from(["ghost", "staff"])),
    "note": (hs.SHORT | st.just(""), hs.text()),
})


@HOSTILE
@given(data=forms)
def test_R15_absence_request_refuses_in_chinese_or_stores_as_typed(layer, data):
    now = NOW + dt.timedelta(milliseconds=next(TICK))  # the newest request heads the (limited) list

    def attempt(engine, ctx):
        post_id = {"post": ctx["post"], None: None, "ghost": 987654}[data["post"]]
        cover_id = {None: None, "cover": ctx["cover"].id, "staff": ctx["staff"].id, "ghost": 987654}[data["cover"]]
        starts_at, ends_at = data["starts_at"], data["ends_at"]
        if ends_at == "after":
            ends_at = starts_at + dt.timedelta(hours=data["hours"]) if starts_at else None
        absence_id, status = roster.file_absence(engine, actor=ctx["staff"], post_id=post_id, starts_at=starts_at,
                                                 ends_at=ends_at, reason=data["reason"], cover_id=cover_id,
                                                 note=data["note"], now=now)
        row = next(r for r in roster.requests_list(engine, actor=ctx["staff"], mine=True)
                   if r.kind == "absence" and r.id == absence_id)
        with session_scope(engine, write=False) as session:  # the note is shown by no list: read the row
            stored = session.exec(select(RosterAbsence).where(RosterAbsence.id == absence_id)).one()
        got = (row.post, row.reason, row.status, row.cover, stored.starts_at, stored.ends_at, stored.note)
        expected = ("前台", data["reason"], status, ctx["cover"].name if data["cover"] == "cover" else
                    (ctx["staff"].name if data["cover"] == "staff" else ""), starts_at, ends_at, hs.typed(data["note"]))
        return got, expected

    layer.check(attempt)


@pytest.mark.parametrize("post, cover", [("ghost", None), ("post", "ghost"), ("naive", None)],
                         ids=["unknown-post", "unknown-cover", "naive-start"])
def test_R15_an_absence_naming_an_unknown_post_or_cover_is_refused_on_both_backends(engine, post, cover):
    """Found by the layer: an unknown post or cover id reached the INSERT and came back as a foreign-key error;
    a start time without its zone raised a StatementError (naive datetime given to a UTC column)."""
    from lib.domain.errors import ValidationFailed
    from tests.hostile.conftest import table_counts

    ctx = setup(engine)
    before = table_counts(engine)
    with pytest.raises(ValidationFailed) as refused:
        roster.file_absence(engine, actor=ctx["staff"], post_id=987654 if post == "ghost" else ctx["post"],
                            starts_at=(NOW + dt.timedelta(hours=2)).replace(tzinfo=None if post == "naive" else dt.UTC),
                            ends_at=NOW + dt.timedelta(hours=3),
                            reason="official", cover_id=987654 if cover else None, now=NOW)
    assert set(refused.value.keys().values()) <= {"field.bad_choice", "field.bad_time"}
    assert table_counts(engine) == before
