"""The signed day sheet and 过期不补 (SPEC §M2 2.3 O2–O4; S24, S29)."""

from __future__ import annotations

import datetime as dt

import pytest

import lib.domain.showroom.daysheet as daysheet_module
from lib.i18n import catalog
from lib.domain.showroom.customers import Channel, ShowroomContact
from lib.domain.showroom.daysheet import (
    DaySheetSettings,
    SheetState,
    SignOff,
    WriteMode,
    assert_day_writable,
    evidence_for_dispute,
    sheet_status,
    sign_sheet,
    signer_titles,
)
from lib.domain.errors import Conflict, DomainError, Locked, NotAllowed

DAY = dt.date(2025, 3, 3)


def at(hour, minute=0, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute))


def signed_by_manager(when=at(16), day=DAY):
    return SignOff(day, "经理甲", "销售经理", when, 12)


def contact(when, received_by, details="", **kw):
    return ShowroomContact(at=when, channel=Channel.walk_in, received_by=received_by, details=details, **kw)


def test_S29_details_can_be_completed_until_1800():
    assert assert_day_writable(DAY, None, at(10)) == WriteMode.normal
    assert assert_day_writable(DAY, None, at(17, 59)) == WriteMode.normal
    with pytest.raises(Locked) as err:
        assert_day_writable(DAY, None, at(18))
    assert err.value.key == "daysheet.locked_expired"
    assert err.value.params["deadline"] == "18:00"


def test_S29_after_manager_signs_the_date_cannot_be_added_to_or_edited():
    with pytest.raises(Locked) as err:
        assert_day_writable(DAY, signed_by_manager(at(15)), at(15, 30))
    assert err.value.key == "daysheet.locked_signed"
    assert err.value.params["signer"] == "经理甲"
    with pytest.raises(Locked):
        assert_day_writable(DAY, None, at(9, day=DAY + dt.timedelta(days=1)))


def test_S29_admin_correction_needs_a_reason_and_is_flagged():
    assert assert_day_writable(DAY, signed_by_manager(), at(17), admin_correction_reason="电话录错") == WriteMode.correction
    with pytest.raises(DomainError) as err:
        assert_day_writable(DAY, signed_by_manager(), at(17), admin_correction_reason="  ")
    assert err.value.key == "daysheet.correction_reason_required"


def test_future_day_is_refused():
    with pytest.raises(DomainError) as err:
        assert_day_writable(DAY + dt.timedelta(days=1), None, at(10))
    assert err.value.key == "daysheet.future_day"


def test_workday_end_is_a_setting():
    late = DaySheetSettings.from_values({"workday_end": "19:30"})
    assert late.workday_end == dt.time(19, 30)
    assert assert_day_writable(DAY, None, at(19), late) == WriteMode.normal


@pytest.mark.parametrize("title", ["销售经理", "供需"])
def test_O3_manager_or_second_signer_signs_the_sheet(title):
    signoff = sign_sheet(day=DAY, signer="签字人", titles=[title], traffic_count=12, existing=None, now=at(17))
    assert signoff == SignOff(DAY, "签字人", title, at(17), 12)


def test_second_signer_title_is_a_setting():
    custom = DaySheetSettings.from_values({"sheet_second_signer_title": "展厅主管"})
    assert signer_titles(custom) == ("销售经理", "展厅主管")
    with pytest.raises(NotAllowed):
        sign_sheet(day=DAY, signer="x", titles=["供需"], traffic_count=1, existing=None, now=at(17), settings=custom)


def test_consultant_cannot_sign():
    with pytest.raises(NotAllowed) as err:
        sign_sheet(day=DAY, signer="C1", titles=["销售顾问"], traffic_count=3, existing=None, now=at(17))
    assert err.value.key == "daysheet.signer_title"


def test_sheet_is_signed_once():
    with pytest.raises(Conflict) as err:
        sign_sheet(day=DAY, signer="y", titles=["供需"], traffic_count=3, existing=signed_by_manager(), now=at(17))
    assert err.value.key == "daysheet.already_signed"


def test_signing_after_closing_is_refused():
    with pytest.raises(Locked) as err:
        sign_sheet(day=DAY, signer="y", titles=["销售经理"], traffic_count=3, existing=None, now=at(18, 5))
    assert err.value.key == "daysheet.sign_expired"


def test_traffic_count_cannot_be_negative():
    with pytest.raises(DomainError) as err:
        sign_sheet(day=DAY, signer="y", titles=["销售经理"], traffic_count=-1, existing=None, now=at(17))
    assert err.value.key == "daysheet.traffic_negative"


def test_sheet_status_lists_incomplete_rows():
    rows = [contact(at(10), "C1", id=1), contact(at(11), "C4", details="试驾，报价", id=2), contact(at(12), "C1", id=3)]
    status = sheet_status(DAY, rows, None, at(12))
    assert (status.state, status.contact_count, status.incomplete) == (SheetState.open, 3, (1, 3))
    assert status.deadline == at(18)
    assert sheet_status(DAY, rows, None, at(18)).state == SheetState.expired
    assert sheet_status(DAY, rows, signed_by_manager(), at(16, 30)).state == SheetState.signed


def test_S24_only_that_days_signed_record_is_evidence():
    day2 = DAY + dt.timedelta(days=1)
    c1 = contact(at(10), "C1", id=1)
    c4 = contact(at(11, day=day2), "C4", id=2)
    evidence = evidence_for_dispute([c1, c4], [signed_by_manager()])
    assert len(evidence) == 1
    assert evidence[0].signoff.day == DAY
    assert evidence[0].contacts == (c1,)
    assert evidence_for_dispute([c1, c4], [signed_by_manager()], day=day2) == []


def test_S24_correction_after_signing_is_not_evidence():
    fixed = contact(at(10), "C4", id=5, is_correction=True)
    assert evidence_for_dispute([fixed], [signed_by_manager()]) == []


def test_S24_unregistered_customer_has_no_evidence():
    assert evidence_for_dispute([], [signed_by_manager()]) == []


def test_labels_exist_in_both_languages():
    keys = {f"{prefix}.{member}" for enum_cls, prefix in [(daysheet_module.SheetState, "daysheet.state"), (daysheet_module.WriteMode, "daysheet.write_mode")] for member in enum_cls}
    for lang in ("zh_CN", "en"):
        assert keys <= catalog(lang).keys(), sorted(keys - catalog(lang).keys())


# ---- issue 10 T3: signing is a deliberate step, early only with a reason -------------------------------------

def test_T3_a_signature_at_0956_needs_an_early_close_reason_kept_on_the_signoff():
    with pytest.raises(DomainError) as err:
        sign_sheet(day=DAY, signer="经理甲", titles=["销售经理"], traffic_count=0, existing=None, now=at(9, 56))
    assert err.value.key == "daysheet.early_close_reason_required"
    assert (err.value.params["opens"], err.value.params["deadline"]) == ("17:00", "18:00")
    with pytest.raises(DomainError):
        sign_sheet(day=DAY, signer="经理甲", titles=["销售经理"], traffic_count=0, existing=None, now=at(9, 56),
                   early_reason="   ")
    signoff = sign_sheet(day=DAY, signer="经理甲", titles=["销售经理"], traffic_count=0, existing=None,
                         now=at(9, 56), early_reason=" 停电闭店 ")
    assert signoff.early_reason == "停电闭店"


def test_T3_in_the_closing_window_no_reason_is_needed_and_none_is_kept():
    signoff = sign_sheet(day=DAY, signer="经理甲", titles=["销售经理"], traffic_count=3, existing=None,
                         now=at(17, 30), early_reason="不需要")
    assert signoff.early_reason == ""


def test_T3_sign_timing_follows_workday_end_and_the_window_setting():
    from lib.domain.showroom.daysheet import SignTiming, sign_timing

    assert sign_timing(DAY, at(16, 59)) == SignTiming.early
    assert sign_timing(DAY, at(17)) == SignTiming.on_time
    assert sign_timing(DAY, at(18)) == SignTiming.expired
    assert sign_timing(DAY, at(10, day=DAY + dt.timedelta(days=1))) == SignTiming.expired
    wide = DaySheetSettings.from_values({"workday_end": "20:00", "showroom.sign_window_minutes": 180})
    assert sign_timing(DAY, at(17), wide) == SignTiming.on_time
    assert "showroom.sign_window_minutes" in {s.key for s in daysheet_module.SETTINGS}


def test_T3_the_sign_check_lists_blank_rows_and_phones_registered_twice():
    from lib.domain.showroom.daysheet import sign_check

    rows = [contact(at(9), "C1", id=1), contact(at(10), "C2", details="试驾", id=2), contact(at(11), "C1", id=3)]
    check = sign_check(DAY, rows, {1: "13812345678", 2: "13900001111", 3: "13812345678"}, at(9, 56))
    assert (check.timing, check.contact_count, check.incomplete) == ("early", 3, (1, 3))
    assert check.duplicates == (("13812345678", (1, 3)),)
    assert check.window_opens == at(17)


def test_T3_the_refusal_after_signing_says_when_who_why_and_what_to_do():
    early = SignOff(DAY, "经理甲", "销售经理", at(9, 56), 0, "停电闭店")
    with pytest.raises(Locked) as err:
        assert_day_writable(DAY, early, at(10, 30))
    assert err.value.key == "daysheet.locked_signed_early"
    text = catalog("zh_CN")[err.value.key].format(**{**err.value.params, "admins": "（管理员）"})
    assert "09:56 由 经理甲 签字锁定（提前收班：停电闭店）" in text and "更正原因后补登" in text
    with pytest.raises(Locked) as err:
        assert_day_writable(DAY, signed_by_manager(at(17, 10)), at(17, 30))
    assert err.value.key == "daysheet.locked_signed" and err.value.params["at"] == "17:10"
