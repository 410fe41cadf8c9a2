"""R15 hostile inputs: an admin creating a user account (lib.services.accounts.create_user)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.people import DEFAULT_TITLES
from lib.services import accounts
from lib.services.accounts import UserForm
from tests.db.helpers import make_user
from tests.hostile import strategies as hs
from tests.hostile.conftest import HOSTILE

ROLES = ["admin", "supervisor", "staff", "display"]
USERNAME = st.from_regex(r"[A-Za-z0-9][a-zA-Z0-9_.-]{1,20}", fullmatch=True)
PASSWORD = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs"]), min_size=8, max_size=20).filter(
    lambda p: 8 <= len(p.encode()) <= 72)


def setup(engine):
    return {"admin": make_user(engine, username="root", name="管理员", role="admin")}


@pytest.fixture(scope="module")
def layer(layer_for):
    return layer_for("user account", setup)


forms = hs.form({
    "username": (USERNAME, hs.text(60)), "name": (hs.NAMES, hs.text()),
    "role": (st.sampled_from(ROLES), hs.choice(ROLES)),
    "staff_no": (st.just("") | st.from_regex(r"[0-9]{4,8}", fullmatch=True), hs.text(60)),
    "titles": (st.lists(st.sampled_from(DEFAULT_TITLES), max_size=3), st.lists(hs.text(30), max_size=3)),
    "password": (PASSWORD, hs.text(100).map(lambda p: p or "")), "repeat_same": (st.just(True), st.booleans()),
})


@HOSTILE
@given(data=forms)
def test_R15_user_account_refuses_in_chinese_or_stores_as_typed(layer, data):
    def attempt(engine, ctx):
        form = UserForm(username=data["username"], name=data["name"], role=data["role"], staff_no=data["staff_no"],
                        titles=tuple(data["titles"]))
        repeat = data["password"] if data["repeat_same"] else data["password"] + "x"
        user_id = accounts.create_user(engine, actor=ctx["admin"], form=form, password=data["password"],
                                       repeat=repeat)
        row = next(u for u in accounts.list_users(engine) if u.id == user_id)
        got = (row.username, row.name, row.role, row.staff_no, row.titles, row.active)
        expected = (hs.typed(data["username"]).lower(), hs.typed(data["name"]), data["role"],
                    hs.typed(data["staff_no"]), tuple(sorted({hs.typed(t) for t in data["titles"] if hs.typed(t)})),
                    True)
        return got, expected

    layer.check(attempt)
