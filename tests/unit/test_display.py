"""Wall display helpers (SPEC M4 4.7): scenario S55, name masking and panel rotation."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain.display import (
    DEFAULT_PANELS,
    PANEL_ORDER,
    SETTINGS,
    DisplayProfile,
    Layout,
    Panel,
    decode_panels,
    encode_panels,
    make_profile,
    mask_name,
    mask_names,
    panel_index,
    rotating,
    scrub_phones,
    wall_panels,
)
from lib.domain.errors import ValidationFailed
from lib.i18n import LOCALES_DIR

WALL_DATA = {
    "queue": [
        {"position": 1, "post": "front_desk", "name": "张三", "phone": "13800138000", "customer": "王先生"},
        {"position": 2, "post": "hotline", "name": "欧阳娜娜", "customer_phone": "010-12345678"},
        {"position": 3, "post": "reception_pc", "name": "李四 13912345678"},
    ],
    "on_duty": [{"post": "front_desk", "name": "赵六", "first_responsible": True, "mobile": "13600000000"}],
    "sales_ranking": [
        {"rank": 1, "name": "张三", "units": 12, "is_last": False, "demoted": False, "fine": 30},
        {"rank": 2, "name": "李四", "units": 3, "is_last": True, "demoted": True},
    ],
    "quarterly_top": [{"rank": r, "name": f"员工{r}", "score": 100 - r, "bonus": 1000} for r in range(1, 11)],
    "team_ranking": [{"rank": 1, "team": "一组", "points": -5, "score": 95, "fines": 12}],
    "fund": [{"collected": 120, "outstanding": 40, "total": 160, "by_person": {"张三": 30}}],
}

PHONE_LIKE = re.compile(r"\d{7,}|\d{3,4}-\d{7,8}")


def all_values(panels) -> list[object]:
    return [value for panel in panels for row in panel.rows for value in row.values()]


def test_S55_wall_shows_queue_and_rankings_without_phone_numbers():
    panels = wall_panels(WALL_DATA, privacy=False)
    kinds = [p.kind for p in panels]
    assert kinds == [
        Panel.QUEUE, Panel.ON_DUTY, Panel.SALES_RANKING, Panel.QUARTERLY_TOP, Panel.TEAM_RANKING, Panel.FUND,
    ]
    queue = panels[0]
    assert queue.title_key == "display.panel.queue"
    assert [r["name"] for r in queue.rows] == ["张三", "欧阳娜娜", "李四 ***"]
    assert not any(PHONE_LIKE.search(str(v)) for v in all_values(panels))


def test_S55_wall_strips_customer_data_and_per_person_fines():
    panels = {p.kind: p for p in wall_panels(WALL_DATA, privacy=False)}
    keys = {key for p in panels.values() for row in p.rows for key in row}
    assert not keys & {"phone", "customer", "customer_phone", "mobile", "fine", "fines", "by_person"}
    assert panels[Panel.FUND].rows == ({"collected": 120, "outstanding": 40, "total": 160},)
    last = {"rank": 2, "name": "李四", "units": 3, "is_last": True, "demoted": True}
    assert panels[Panel.SALES_RANKING].rows[1] == last


def test_S55_quarterly_panel_shows_only_the_top_eight():
    panel = next(p for p in wall_panels(WALL_DATA, privacy=False) if p.kind is Panel.QUARTERLY_TOP)
    assert [r["rank"] for r in panel.rows] == list(range(1, 9))


def test_privacy_mode_masks_names_but_not_teams():
    panels = {p.kind: p for p in wall_panels(WALL_DATA, privacy=True)}
    assert [r["name"] for r in panels[Panel.QUEUE].rows] == ["张*", "欧阳*娜", "李*****"]
    assert panels[Panel.TEAM_RANKING].rows[0]["team"] == "一组"


def test_panel_order_setting_controls_rotation_and_unknown_data_is_left_out():
    panels = wall_panels(WALL_DATA, privacy=False, order=["fund", "queue"])
    assert [p.kind for p in panels] == [Panel.FUND, Panel.QUEUE]


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("李小明", "李*明"), ("孙小俊", "孙*俊"), ("欧阳娜娜", "欧阳*娜"), ("欧阳娜", "欧阳*"),
     ("欧阳", "欧*"), ("王", "*"), ("", ""), (" 张三 ", "张*"), ("阿依古丽·买买提", "阿***·**提"),
     ("李大小明", "李**明")],
)
def test_T12_mask_name_keeps_first_and_last(name, masked):
    assert mask_name(name) == masked


def test_compound_surnames_are_optional():
    assert mask_name("欧阳娜娜", compound_surnames=()) == "欧**娜"


def test_T12_masked_names_of_two_people_stay_distinguishable():
    assert mask_names(["孙小俊", "孙大俊", "孙俊", "张伟", "张玮", "李四"]) == ["孙小俊", "孙大俊", "孙*", "张伟", "张玮", "李*"]
    assert mask_names(["孙小俊", "孙小杰"]) == ["孙*俊", "孙*杰"]
    assert mask_names(["张伟", "张伟"]) == ["张*", "张*"]  # the same name twice: the unmasked wall could not tell either


@given(st.lists(st.text(alphabet="孙张欧阳李小大俊伟玮·* 1", min_size=0, max_size=6), max_size=8))
def test_T12_property_distinct_full_names_never_mask_alike(names):
    masked = mask_names(names)
    assert len(masked) == len(names)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if a.strip() != b.strip():
                assert masked[i] != masked[j], (a, b, masked)
            assert len(masked[i]) == len(a.strip())


def test_T12_privacy_drops_last_place_and_demotion_labels_and_bonuses():
    panels = {p.kind: p for p in wall_panels(WALL_DATA, privacy=True)}
    keys = {key for p in panels.values() for row in p.rows for key in row}
    assert not keys & {"is_last", "demoted", "bonus"}
    public = {p.kind: p for p in wall_panels(WALL_DATA, privacy=False)}
    assert public[Panel.SALES_RANKING].rows[1]["is_last"] and public[Panel.QUARTERLY_TOP].rows[0]["bonus"] == 1000


def test_T12_a_new_tv_profile_is_customer_safe_by_default():
    profile = DisplayProfile()
    assert (profile.layout, profile.privacy, profile.show_fund) == (Layout.SPLIT, True, False)
    assert Panel.FUND not in profile.panels and Panel.QUEUE not in profile.panels
    order = [p.value for p in PANEL_ORDER]
    assert Panel.FUND not in rotating(profile, order) and Panel.QUEUE not in rotating(profile, order)
    assert Panel.FUND in rotating(DisplayProfile(show_fund=True), order)


def test_T12_rotating_panels_follow_the_office_order_kept_to_the_link():
    profile = make_profile("split", ["sales_ranking", "on_duty"], True, False)
    assert rotating(profile, ["fund", "sales_ranking", "queue", "on_duty"]) == (Panel.SALES_RANKING, Panel.ON_DUTY)
    assert rotating(make_profile("queue_only", [], True, True), [p.value for p in PANEL_ORDER]) == ()


def test_T12_profile_choices_are_checked():
    with pytest.raises(ValidationFailed) as bad:
        make_profile("sideways", ["bogus"], True, False)
    assert bad.value.keys() == {"display_layout": "display.profile.bad_layout",
                                "display_panels": "display.profile.bad_panel"}
    with pytest.raises(ValidationFailed):
        make_profile("panels", [], True, False)
    assert make_profile("panels", [], True, True).show_fund
    assert decode_panels(encode_panels([Panel.ON_DUTY, Panel.SATISFACTION])) == (Panel.ON_DUTY, Panel.SATISFACTION)
    assert decode_panels("") == DEFAULT_PANELS and decode_panels("fund,bogus") == DEFAULT_PANELS


def test_scrub_phones_keeps_dates_and_short_numbers():
    assert scrub_phones("2026-05-01 8021 号") == "2026-05-01 8021 号"
    assert scrub_phones("call 138 0013 8000 or 0571-88886666") == "call *** or ***"


def test_panel_rotation_every_refresh_interval():
    assert [panel_index(s, 3, 60) for s in (0, 59, 60, 125, 180)] == [0, 0, 1, 2, 0]
    assert panel_index(100, 0) == 0


def test_display_settings_defaults():
    defaults = {d.key: d.default for d in SETTINGS}
    assert defaults["display.refresh_seconds"] == 60
    assert defaults["display.panel_order"] == [p.value for p in PANEL_ORDER]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_panel_titles_are_in_both_catalogs(lang):
    texts = json.loads((LOCALES_DIR / lang / "kpi.json").read_text(encoding="utf-8"))
    assert {f"display.panel.{p.value}" for p in Panel} - set(texts) == set()
