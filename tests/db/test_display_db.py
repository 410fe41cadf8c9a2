"""Display links' profiles through the services on SQLite and PostgreSQL (issue 10 T10, T12)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.engine import session_scope
from lib.domain.display import DisplayProfile, Layout, Panel
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed
from lib.services import display
from tests.db.helpers import audit_actions, make_user


@pytest.fixture
def admin(engine):
    return make_user(engine, username="root", role="admin", name="管理员")


def test_T12_a_link_is_customer_safe_unless_chosen_and_its_profile_is_stored(engine, admin):
    _, token = display.create_link(engine, actor=admin, label="大堂")
    assert display.wall_access(engine, token).profile == DisplayProfile()
    _, other = display.create_link(engine, actor=admin, label="办公室", layout="panels", panels=["sales_ranking"],
                                   privacy=False, show_fund=True)
    assert display.wall_access(engine, other).profile == DisplayProfile(Layout.PANELS, (Panel.SALES_RANKING,), False,
                                                                        True)
    with pytest.raises(ValidationFailed):
        display.create_link(engine, actor=admin, label="空", layout="panels", panels=[])


def test_T12_an_admin_changes_what_a_tv_shows_audited_once_and_a_revoked_link_is_refused(engine, admin):
    staff = make_user(engine, username="s", name="员工")
    link_id, token = display.create_link(engine, actor=admin, label="展厅")
    with pytest.raises(NotAllowed):
        display.update_link(engine, actor=staff, link_id=link_id, layout="queue_only", panels=[], privacy=True,
                            show_fund=False)
    assert display.update_link(engine, actor=admin, link_id=link_id, layout="queue_only", panels=["on_duty"],
                               privacy=True, show_fund=False)
    assert not display.update_link(engine, actor=admin, link_id=link_id, layout="queue_only", panels=["on_duty"],
                                   privacy=True, show_fund=False)  # nothing changed: no audit row
    assert display.wall_access(engine, token).profile.layout is Layout.QUEUE_ONLY
    assert audit_actions(engine, "kpi_display_link") == ["create", "update"]
    display.revoke_link(engine, actor=admin, link_id=link_id)
    with pytest.raises(DomainError):
        display.update_link(engine, actor=admin, link_id=link_id, layout="split", panels=["on_duty"], privacy=True,
                            show_fund=False)


def test_T10_a_revoked_token_is_told_apart_from_an_unknown_one(engine, admin):
    link_id, token = display.create_link(engine, actor=admin, label="旧电视")
    assert not display.token_revoked(engine, token)
    display.revoke_link(engine, actor=admin, link_id=link_id)
    assert display.token_revoked(engine, token) and display.wall_access(engine, token) is None
    assert not display.token_revoked(engine, token + "x") and not display.token_revoked(engine, None)


def test_T12_links_made_before_profiles_read_as_split_with_the_default_panels_and_no_fund(engine, admin):
    link_id, token = display.create_link(engine, actor=admin, label="老链接", privacy=False, show_fund=True)
    with session_scope(engine) as session:
        session.execute(text("UPDATE kpi_display_link SET layout = 'split', panels = '', show_fund = :f WHERE id = :i"),
                        {"f": False, "i": link_id})
    assert display.wall_access(engine, token).profile == DisplayProfile(privacy=False)
