"""Visitor register and phone messages (SPEC M2.1, M2.2)."""

import datetime as dt

import pytest

from lib.domain.errors import DomainError, ValidationFailed
from lib.domain.phones import normalise_phone
from lib.domain.visitors import (MessageForm, RelayStatus, VisitorForm, departure_time, escort_allowed,
                                 relay_status, relay_time, validate_message, validate_visitor)

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)


def fields(exc: ValidationFailed) -> dict[str, str]:
    return exc.keys()


def test_S21_entry_without_name_or_headcount_is_rejected():
    with pytest.raises(ValidationFailed) as info:
        validate_visitor(VisitorForm(name="  ", headcount="", purpose="面试"), now=NOW)
    assert fields(info.value) == {"visitor_name": "field.required", "headcount": "field.required"}


def test_S21_time_out_is_filled_on_departure_and_only_once():
    time_in = NOW - dt.timedelta(hours=1)
    assert departure_time(time_in=time_in, already_out=False, now=NOW) == NOW
    with pytest.raises(DomainError) as info:
        departure_time(time_in=time_in, already_out=True, now=NOW)
    assert info.value.key == "visitor.already_out"


def test_S21_departure_never_before_arrival():
    later_in = NOW + dt.timedelta(minutes=2)  # a clock skew between two desks
    assert departure_time(time_in=later_in, already_out=False, now=NOW) == later_in


def test_valid_entry_defaults_time_in_to_now_and_normalises_phone():
    visitor = validate_visitor(VisitorForm(name=" 张三 ", headcount="2", purpose="商务洽谈",
                                           phone="+86 138-0013-8000"), now=NOW)
    assert (visitor.name, visitor.headcount, visitor.time_in, visitor.phone_norm) == ("张三", 2, NOW, "13800138000")


@pytest.mark.parametrize("headcount", [0, -1, 201, "abc", 1.5])
def test_headcount_outside_1_to_200_says_the_range(headcount):
    with pytest.raises(ValidationFailed) as info:
        validate_visitor(VisitorForm(name="李四", headcount=headcount, purpose="送货"), now=NOW)
    assert info.value.errors[0].key == "visitor.headcount_range"
    assert info.value.errors[0].params == {"max": 200}


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800", "电话", "010-123"])
def test_implausible_phone_is_rejected(phone):
    with pytest.raises(ValidationFailed) as info:
        validate_visitor(VisitorForm(name="王五", headcount=1, purpose="送货", phone=phone), now=NOW)
    assert fields(info.value) == {"phone": "phone.implausible"}


@pytest.mark.parametrize("text,expected", [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("0086-13800138000", "13800138000"),
    ("010-12345678", "01012345678"), ("(0755)8765 4321", "075587654321"), ("021-12345678转123", "02112345678"),
    ("400-123-4567", "4001234567"), ("", None), ("１３８００１３８０００", None),
])
def test_phone_normalisation(text, expected):
    assert normalise_phone(text) == expected


def test_html_is_kept_as_text_and_control_characters_are_refused():
    """R4: a control or bidi character is refused naming the field, never silently dropped."""
    visitor = validate_visitor(VisitorForm(name="<script>alert(1)</script>", headcount=1,
                                           purpose="'; DROP TABLE visitor_entry; --"), now=NOW)
    assert visitor.name == "<script>alert(1)</script>"
    assert visitor.purpose.startswith("'; DROP TABLE")
    with pytest.raises(ValidationFailed) as info:
        validate_visitor(VisitorForm(name="张三\u202e", headcount=1, purpose="x\x00"), now=NOW)
    assert fields(info.value) == {"visitor_name": "field.control_chars", "purpose": "field.control_chars"}


def test_too_long_name_and_future_time_are_reported_together():
    with pytest.raises(ValidationFailed) as info:
        validate_visitor(VisitorForm(name="长" * 51, headcount=1, purpose="x",
                                     time_in=NOW + dt.timedelta(hours=1)), now=NOW)
    assert fields(info.value) == {"visitor_name": "field.too_long", "time_in": "visitor.time_in_future"}


def test_S22_leader_guest_escort_waits_for_host_notification():
    assert not escort_allowed(host_is_leader=True, has_appointment=True, host_notified_at=None)
    assert escort_allowed(host_is_leader=True, has_appointment=True, host_notified_at=NOW)
    assert escort_allowed(host_is_leader=False, has_appointment=True, host_notified_at=None)


def test_S23_message_stores_time_caller_matter_and_relay_target():
    called = NOW - dt.timedelta(minutes=30)
    message = validate_message(MessageForm(called_at=called, caller_name="赵六", matter="请回电", related="合同",
                                           relay_to_id=7), now=NOW)
    assert (message.called_at, message.caller_name, message.matter, message.related, message.relay_to_id) == (
        called, "赵六", "请回电", "合同", 7)


def test_S23_message_without_caller_matter_or_target_is_rejected():
    with pytest.raises(ValidationFailed) as info:
        validate_message(MessageForm(), now=NOW)
    assert fields(info.value) == {"caller_name": "field.required", "matter": "field.required",
                                  "relay_to_id": "message.relay_required"}


def test_S23_message_stays_unrelayed_until_relayed_and_then_once_only():
    called = NOW - dt.timedelta(minutes=30)
    assert relay_status(called_at=called, relayed_at=None, now=NOW, overdue_hours=2) is RelayStatus.UNRELAYED
    assert relay_status(called_at=called, relayed_at=None, now=NOW + dt.timedelta(hours=2),
                        overdue_hours=2) is RelayStatus.OVERDUE
    assert relay_status(called_at=called, relayed_at=NOW, now=NOW, overdue_hours=2) is RelayStatus.RELAYED
    assert relay_time(already_relayed=False, now=NOW) == NOW
    with pytest.raises(DomainError):
        relay_time(already_relayed=True, now=NOW)


# ---- T4: one visitor, one visit on site ----------------------------------------------------------------

from lib.domain.visitors import (CODE_ALPHABET, OnSiteVisit, PreregForm, StillOnSite, make_code,  # noqa: E402
                                 normalise_code, prereg_usable, still_on_site, unseen_duplicates, validate_prereg)


def _visit(id_, name="张三", company="华为", phone="13800138000"):
    return OnSiteVisit(id=id_, name=name, company=company, phone_norm=phone, time_in=NOW)


def test_T4_same_phone_or_same_name_and_company_is_the_same_visitor():
    visitor = validate_visitor(VisitorForm(name="张三", headcount=1, purpose="送货", company="华为",
                                           phone="138 0013 8000"), now=NOW)
    on_site = [_visit(1), _visit(2, name="别人", company="别家", phone="13700137000"), _visit(3, phone=""),
               _visit(4, name="张三", company="小米", phone="13900139000")]
    assert [v.id for v in still_on_site(visitor, on_site)] == [1, 3]
    nameless_phone = validate_visitor(VisitorForm(name="李四", headcount=1, purpose="送货"), now=NOW)
    assert still_on_site(nameless_phone, [_visit(5, phone="")]) == []


def test_T4_a_duplicate_passes_only_when_every_match_was_shown():
    unseen_duplicates([], seen=())
    unseen_duplicates([_visit(1)], seen=(1,))
    with pytest.raises(StillOnSite) as info:
        unseen_duplicates([_visit(1), _visit(2)], seen=(1,))
    assert [v.id for v in info.value.visits] == [1, 2]
    assert info.value.key == "visitor.still_on_site"


# ---- T21: pre-registration codes ------------------------------------------------------------------------

def test_T21_codes_use_an_unambiguous_alphabet_and_are_read_leniently():
    assert not set("0O1IL") & set(CODE_ALPHABET)
    counter = iter(range(1000))
    code = make_code(lambda n: next(counter) % n)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert normalise_code(" abc-234 ") == "ABC234"
    assert normalise_code("ABC2O4") is None and normalise_code("ABC23") is None


def test_T21_a_booking_follows_the_register_rules_and_its_day():
    today = NOW.date()
    ok = validate_prereg(PreregForm(name="王五", purpose="签约", headcount=2, expected_day=today, host_id=7),
                         now=NOW, today=today, days_ahead=30)
    assert (ok.name, ok.headcount, ok.host_id) == ("王五", 2, 7)
    with pytest.raises(ValidationFailed) as info:
        validate_prereg(PreregForm(name="", purpose="签约", headcount=0, phone="123",
                                   expected_day=today + dt.timedelta(days=31)), now=NOW, today=today, days_ahead=30)
    assert fields(info.value) == {"visitor_name": "field.required", "headcount": "visitor.headcount_range",
                                  "phone": "phone.implausible", "expected_day": "visitor.prereg_day_far",
                                  "host_id": "visitor.host_required"}
    prereg_usable(expected_day=today, today=today, arrived=False, cancelled=False)
    for kwargs, key in [({"arrived": True}, "visitor.code_used"), ({"cancelled": True}, "visitor.code_cancelled"),
                        ({"expected_day": today - dt.timedelta(days=1)}, "visitor.code_other_day")]:
        values = {"expected_day": today, "today": today, "arrived": False, "cancelled": False} | kwargs
        with pytest.raises(DomainError) as err:
            prereg_usable(**values)
        assert err.value.key == key
