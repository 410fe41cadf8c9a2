"""R7: customer data by need — who sees a ticket's customer in full, and the masks everybody else sees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lib.domain import privacy as p

CS = ("客服部经理", "客服主管", "客服专员")
RECORD = p.RecordPeople(named=frozenset({1, 2}), group_ids=frozenset({10}), callback_staff=frozenset({3}))


def test_R7_phone_keeps_the_first_3_and_last_4():
    assert p.mask_phone("13800000000") == "138****0000"
    assert p.mask_phone(" 021-66668888 ") == "021****8888"
    assert p.mask_phone("12345") == "***45"
    assert p.mask_phone("") == ""


def test_R7_address_keeps_its_first_6_characters():
    assert p.mask_address("上海市浦东新区张江路100号") == "上海市浦东新***"
    assert p.mask_address("北京") == "北京***"
    assert p.mask_address("") == ""


def test_R7_name_keeps_the_family_name():
    assert p.mask_name("张三丰") == "张**"
    assert p.mask_name("李") == "李*"
    assert p.mask_name("") == ""


@given(st.text(min_size=8, max_size=30).filter(lambda s: s.strip() == s and len(s) >= 8))
def test_R7_a_masked_phone_never_shows_its_middle(phone):
    assert p.mask_phone(phone) == phone[:3] + "****" + phone[-4:]


def test_R7_who_works_on_a_ticket_sees_it_in_full():
    assert p.works_on(p.Viewer(1, "staff"), RECORD, CS)  # named (assignee, logger, technician)
    assert p.works_on(p.Viewer(3, "staff"), RECORD, CS)  # made a callback on it
    assert p.works_on(p.Viewer(4, "staff", group_id=10), RECORD, CS)  # the assignee's group
    assert p.works_on(p.Viewer(5, "staff", ("客服专员",)), RECORD, CS)  # customer service
    assert p.works_on(p.Viewer(6, "supervisor"), RECORD, CS)
    assert not p.works_on(p.Viewer(7, "staff", ("销售顾问",), group_id=11), RECORD, CS)
    assert not p.works_on(p.Viewer(None, "display"), RECORD, CS)


def test_R7_a_supervisor_outside_the_record_is_not_on_it():
    assert not p.is_own(p.Viewer(6, "supervisor"), RECORD, CS)
    assert p.is_own(p.Viewer(1, "supervisor"), RECORD, CS)
    assert p.is_own(p.Viewer(6, "supervisor", ("客服部经理",)), RECORD, CS)


def test_R6_who_may_note_a_ticket():
    assert p.may_note(p.Viewer(1, "staff"), RECORD, CS)
    assert p.may_note(p.Viewer(4, "staff", group_id=10), RECORD, CS)
    assert p.may_note(p.Viewer(5, "staff", ("客服主管",)), RECORD, CS)
    assert p.may_note(p.Viewer(6, "supervisor"), RECORD, CS)
    assert not p.may_note(p.Viewer(7, "staff", ("销售顾问",)), RECORD, CS)
    assert not p.may_note(p.Viewer(8, "display"), RECORD, CS)
    unclaimed = p.RecordPeople(named=frozenset({1}), assigned=False)
    assert p.may_note(p.Viewer(7, "staff"), unclaimed, CS)


def test_R7_phones_quoted_in_free_text_are_masked_dates_and_short_numbers_are_not():
    from lib.domain.privacy import mask_phones_in

    assert mask_phones_in("客户电话13812345678，备用 139-0000-1111") == "客户电话138****5678，备用 139****1111"
    assert mask_phones_in("座机 021-12345678") == "座机 021****5678"
    assert mask_phones_in("2026-01-05 到店，金额 1500 元，工单 123") == "2026-01-05 到店，金额 1500 元，工单 123"


def test_R7_a_showroom_record_is_whole_for_the_people_on_it_and_signer_titles():
    from lib.domain.privacy import Viewer, outsider_read, sees_in_full

    assert sees_in_full(Viewer(5, "staff"), (None, 5), ())
    assert not sees_in_full(Viewer(6, "staff"), (None, 5), ())
    assert sees_in_full(Viewer(6, "staff", ("销售经理",)), (5,), ("销售经理",))
    assert sees_in_full(Viewer(7, "supervisor"), (5,), ()) and outsider_read(Viewer(7, "supervisor"), (5,), ())
    assert not outsider_read(Viewer(5, "supervisor"), (5,), ())
