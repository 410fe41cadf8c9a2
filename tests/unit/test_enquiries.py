"""Customer enquiries (SPEC §M2 2.2; S34)."""

from __future__ import annotations

import datetime as dt

import pytest

import lib.domain.showroom.enquiries as enquiries_module
from lib.i18n import catalog
from lib.domain.showroom.enquiries import Enquiry, EnquiryStatus, enquiry_overdue, validate_enquiry
from lib.domain.errors import ValidationFailed

NOW = dt.datetime(2025, 3, 3, 10, 0)
LATER = NOW + dt.timedelta(hours=4)


def test_S34_open_question_needs_a_promised_response_time():
    with pytest.raises(ValidationFailed) as err:
        validate_enquiry(question="保养套餐价格？", status=EnquiryStatus.open, promised_response_at=None, now=NOW)
    assert err.value.keys() == {"promised_response_at": "enquiries.promise_required"}


def test_S34_promised_time_must_be_in_the_future():
    with pytest.raises(ValidationFailed) as err:
        validate_enquiry(question="保养套餐价格？", status=EnquiryStatus.open, promised_response_at=NOW, now=NOW)
    assert err.value.keys() == {"promised_response_at": "enquiries.promise_in_past"}


def test_S34_open_question_with_promise_is_saved():
    check = validate_enquiry(question=" 保养套餐价格？ ", status=EnquiryStatus.open, promised_response_at=LATER, now=NOW)
    assert (check.question, check.promised_response_at, check.repeat_of) == ("保养套餐价格？", LATER, ())


def test_answered_question_needs_no_promise():
    check = validate_enquiry(question="营业时间", status=EnquiryStatus.answered, promised_response_at=None, now=NOW)
    assert check.status == EnquiryStatus.answered


def test_blank_question_and_bad_phone_are_reported():
    with pytest.raises(ValidationFailed) as err:
        validate_enquiry(question="", status=EnquiryStatus.answered, promised_response_at=None, now=NOW,
                         caller_phone="123")
    assert err.value.keys() == {"question": "enquiries.question_required", "caller_phone": "customers.phone_invalid"}


def test_repeat_call_about_open_issue_is_flagged():
    existing = [
        Enquiry(7, "发票什么时候寄出", EnquiryStatus.open, LATER, "13812345678"),
        Enquiry(8, "上次的问题", EnquiryStatus.answered, None, "13812345678"),
        Enquiry(9, "别人的问题", EnquiryStatus.open, LATER, "13900000000"),
    ]
    check = validate_enquiry(question="又来问发票", status=EnquiryStatus.open, promised_response_at=LATER, now=NOW,
                             caller_phone="138-1234-5678", open_enquiries=existing)
    assert check.caller_phone == "13812345678"
    assert check.repeat_of == (7,)


def test_open_enquiry_is_overdue_after_its_promise():
    enquiry = Enquiry(1, "q", EnquiryStatus.open, LATER)
    assert enquiry_overdue(enquiry, LATER) is False
    assert enquiry_overdue(enquiry, LATER + dt.timedelta(minutes=1)) is True
    assert enquiry_overdue(Enquiry(2, "q", EnquiryStatus.answered, LATER), LATER + dt.timedelta(days=1)) is False


def test_labels_and_setting_names_exist_in_both_languages():
    keys = {f"{prefix}.{member}" for enum_cls, prefix in [(enquiries_module.EnquiryStatus, "enquiries.status")] for member in enum_cls}
    for lang in ("zh_CN", "en"):
        assert keys <= catalog(lang).keys(), sorted(keys - catalog(lang).keys())
