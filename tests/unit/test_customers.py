"""Showroom registration and ownership (SPEC §M2 2.3; S24–S28, S30, O5, O6)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lib.domain.showroom.customers as customers_module
from lib.i18n import catalog
from lib.domain.showroom.customers import (
    Card,
    ChangeCause,
    Channel,
    CustomerCard,
    FollowUp,
    OwnerChange,
    Ownership,
    OwnershipSettings,
    OwnershipState,
    Receiver,
    ShowroomContact,
    assert_can_take_new_customer,
    duplicate_cards,
    existing_cards_for,
    my_customers_buckets,
    normalise_phone,
    ownership,
    receiver_for,
    validate_contact,
)
from lib.domain.errors import DomainError, NotAllowed, ValidationFailed

D = dt.datetime(2025, 3, 3, 10, 0)  # a Monday
BOARD = {"front_desk": "C1", "hotline": "C2", "reception_pc": "C3"}


def walk_in(at, received_by, **kw):
    return ShowroomContact(at=at, channel=Channel.walk_in, received_by=received_by, **kw)


def days(n, hour=10):
    return dt.datetime.combine(D.date() + dt.timedelta(days=n), dt.time(hour))


# --- phones and the 客户记录表 -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("010-12345678", "01012345678"),
        ("+86 10 12345678", "01012345678"),
        ("(0571) 8888 8888", "057188888888"),
        ("0571-8888888", "05718888888"),
    ],
)
def test_normalise_phone_accepts_mobile_and_landline(text, canonical):
    assert normalise_phone(text) == canonical


@pytest.mark.parametrize("text", ["", "  ", "abc", "12345", "88886666", "12812345678", "010-123456", "+86 138 1234 567", "+1 650 555 1234"])
def test_normalise_phone_refuses_other_text(text):
    with pytest.raises(DomainError) as err:
        normalise_phone(text)
    assert err.value.key == "customers.phone_invalid"


def test_S30_customer_record_with_empty_contact_is_rejected():
    with pytest.raises(ValidationFailed) as err:
        validate_contact(customer_name="王先生", phone="  ", matter="卡罗拉试驾", visit_date=D.date())
    assert err.value.keys() == {"phone": "customers.field_required"}


def test_S30_every_blank_field_is_reported():
    with pytest.raises(ValidationFailed) as err:
        validate_contact(customer_name="", phone=None, matter=" ", visit_date=None)
    assert set(err.value.keys()) == {"customer_name", "phone", "matter", "visit_date"}
    assert set(err.value.keys().values()) == {"customers.field_required"}


def test_S30_invalid_phone_says_what_to_fix():
    with pytest.raises(ValidationFailed) as err:
        validate_contact(customer_name="王先生", phone="1234", matter="询价", visit_date=D.date())
    assert err.value.keys() == {"phone": "customers.phone_invalid"}


def test_S30_valid_record_is_trimmed_and_phone_canonical():
    form = validate_contact(customer_name=" 王先生 ", phone="138-1234-5678", matter=" 询价 ", visit_date=D.date())
    assert (form.customer_name, form.phone, form.matter, form.visit_date) == ("王先生", "13812345678", "询价", D.date())


# --- receivers -----------------------------------------------------------------------


def test_S25_hotline_caller_becomes_hotline_holders_A_card():
    assert receiver_for(Channel.call, BOARD) == Receiver("C2", Card.A)
    call = ShowroomContact(at=D, channel=Channel.call, received_by="C2")
    own = ownership([call], D)
    assert (own.owner, own.card, own.state) == ("C2", Card.A, OwnershipState.owned_new)
    assert own.events == (OwnerChange(D, None, "C2", ChangeCause.call_registered),)


def test_walk_in_goes_to_front_desk_holder():
    assert receiver_for(Channel.walk_in, BOARD).consultant == "C1"


def test_unstaffed_post_is_refused():
    with pytest.raises(DomainError) as err:
        receiver_for(Channel.call, {"front_desk": "C1"})
    assert err.value.key == "customers.post_unstaffed"


def test_S8_demoted_consultant_cannot_receive_new_customer():
    with pytest.raises(NotAllowed) as err:
        receiver_for(Channel.walk_in, BOARD, demoted={"C1"})
    assert err.value.key == "customers.demoted_cannot_take_new"
    with pytest.raises(NotAllowed):
        assert_can_take_new_customer("C6", ["C6"])
    assert_can_take_new_customer("C5", ["C6"])


def test_O5_demoted_owner_keeps_following_their_card():
    own = ownership([walk_in(D, "C6"), FollowUp(days(5), "C6")], days(20))
    assert (own.owner, own.state) == ("C6", OwnershipState.owned_following)


# --- ownership timers ------------------------------------------------------------------


def test_S24_unregistered_customer_has_no_owner():
    own = ownership([], D)
    assert own == Ownership(None, OwnershipState.unregistered, None, None, None, None, ())


def test_S24_follow_up_without_registration_gives_no_owner():
    assert ownership([FollowUp(D, "C4")], days(1)).owner is None


def test_S26_no_follow_up_released_on_day_8():
    history = [walk_in(D, "C1")]
    last_day = dt.datetime.combine(days(7).date(), dt.time(23, 59))
    assert ownership(history, last_day).state == OwnershipState.owned_new
    released = ownership(history, days(8, hour=0))
    assert (released.owner, released.state) == (None, OwnershipState.released)
    assert released.events[-1] == OwnerChange(days(8, hour=0), "C1", None, ChangeCause.no_first_follow_up)


def test_S26_follow_up_on_day_3_keeps_customer():
    own = ownership([walk_in(D, "C1"), FollowUp(days(3, hour=15), "C1")], days(8))
    assert (own.owner, own.state) == ("C1", OwnershipState.owned_following)
    assert own.last_follow_up_at == days(3, hour=15)
    assert own.due_at == days(3 + 31, hour=0)


def test_S26_someone_elses_follow_up_does_not_keep_customer():
    own = ownership([walk_in(D, "C1"), FollowUp(days(3), "C4")], days(8))
    assert own.owner is None


def test_S27_released_after_more_than_30_days_without_follow_up():
    history = [walk_in(D, "C3"), FollowUp(days(2), "C3")]
    assert ownership(history, days(2 + 30, hour=23)).owner == "C3"
    lapsed = ownership(history, days(2 + 31))
    assert lapsed.state == OwnershipState.released
    assert lapsed.events[-1].cause == ChangeCause.lapsed


def test_released_customer_goes_to_next_receiver():
    own = ownership([walk_in(D, "C1"), walk_in(days(10), "C4")], days(11))
    assert own.owner == "C4"
    assert [e.cause for e in own.events] == [
        ChangeCause.walk_in_registered,
        ChangeCause.no_first_follow_up,
        ChangeCause.walk_in_registered,
    ]


def test_S28_unrecognised_revisit_goes_to_receiver():
    history = [walk_in(D, "C2"), FollowUp(days(1), "C2"), walk_in(days(5), "C5")]
    own = ownership(history, days(5))
    assert (own.owner, own.state, own.since) == ("C5", OwnershipState.owned_new, days(5))
    assert own.events[-1] == OwnerChange(days(5), "C2", "C5", ChangeCause.revisit_unrecognised)


@pytest.mark.parametrize("kw", [{"requested_consultant": "C2"}, {"recognised_by_owner": True}])
def test_S28_revisit_asking_for_or_recognised_by_owner_stays(kw):
    own = ownership([walk_in(D, "C2"), FollowUp(days(1), "C2"), walk_in(days(5), "C5", **kw)], days(5))
    assert own.owner == "C2"


def test_revisit_served_by_owner_counts_as_follow_up():
    own = ownership([walk_in(D, "C2"), walk_in(days(6), "C2")], days(12))
    assert (own.owner, own.state) == ("C2", OwnershipState.owned_following)


def test_custom_first_follow_up_setting():
    short = OwnershipSettings(first_follow_up_days=3)
    assert ownership([walk_in(D, "C1")], days(4), short).owner is None
    assert OwnershipSettings.from_values({"ownership.first_follow_up": 3}) == short


# --- worklists and 重卡 ----------------------------------------------------------------


def test_my_customers_buckets():
    own = {
        1: ownership([walk_in(D, "C1")], days(7)),  # last day to follow up is today
        2: ownership([walk_in(days(5), "C1")], days(7)),  # last day D+12: five days away, not listed
        3: ownership([walk_in(days(2), "C1")], days(7)),  # last day D+9, 2 days away
        4: ownership([walk_in(D - dt.timedelta(days=5), "C1")], days(7)),  # released from C1
        5: ownership([walk_in(D, "C4")], days(7)),  # somebody else's
    }
    buckets = my_customers_buckets(own, "C1", days(7))
    assert (buckets.due_today, buckets.about_to_lapse, buckets.overdue) == ((1,), (3,), (4,))


def test_O6_duplicate_cards_by_normalised_phone():
    cards = [
        CustomerCard(1, "138 1234 5678", "C1"),
        CustomerCard(2, "+86 13812345678", "C4"),
        CustomerCard(3, "010-12345678", "C2"),
        CustomerCard(3, "01012345678", "C2"),
        CustomerCard(4, "not a phone", "C5"),
    ]
    dups = duplicate_cards(cards)
    assert len(dups) == 1
    assert (dups[0].phone, dups[0].customer_ids, dups[0].owners) == ("13812345678", (1, 2), ("C1", "C4"))
    assert [c.customer_id for c in existing_cards_for("13812345678", cards)] == [1, 2]


# --- property: one owner at a time, every change has a cause -------------------------

CONSULTANTS = ["C1", "C2", "C3", "C4"]

_event = st.one_of(
    st.tuples(
        st.just("contact"),
        st.integers(0, 40 * 24),
        st.sampled_from(list(Channel)),
        st.sampled_from(CONSULTANTS),
        st.one_of(st.none(), st.sampled_from(CONSULTANTS)),
        st.booleans(),
    ),
    st.tuples(st.just("follow"), st.integers(0, 40 * 24), st.sampled_from(CONSULTANTS)),
)


def _build(raw):
    at = D
    history = []
    for item in raw:
        at = at + dt.timedelta(hours=item[1])
        if item[0] == "contact":
            _, _, channel, receiver, requested, recognised = item
            history.append(ShowroomContact(at, channel, receiver, None, requested, recognised))
        else:
            history.append(FollowUp(at, item[2]))
    return history


@settings(max_examples=200, deadline=None)
@given(st.lists(_event, max_size=25), st.integers(0, 60 * 24))
def test_property_one_owner_at_a_time_and_every_change_has_a_cause(raw, tail_hours):
    history = _build(raw)
    end = (history[-1].at if history else D) + dt.timedelta(hours=tail_hours)
    final = ownership(history, end)

    previous_to, previous_at = None, None
    for change in final.events:
        assert change.cause and change.cause in set(ChangeCause)
        assert change.from_owner != change.to_owner
        assert change.from_owner == previous_to
        assert previous_at is None or change.at >= previous_at
        previous_to, previous_at = change.to_owner, change.at
    assert final.owner == previous_to
    assert (final.owner is None) == (final.state in {OwnershipState.unregistered, OwnershipState.released})
    assert (final.state == OwnershipState.unregistered) == (not final.events)

    # Evaluated at any earlier moment, the record gives the same single owner and the same past changes.
    for moment in [h.at for h in history] + [e.at for e in final.events]:
        past = ownership(history, moment)
        expected = tuple(e for e in final.events if e.at <= moment)
        assert past.events == expected
        assert past.owner == (expected[-1].to_owner if expected else None)


def test_labels_and_setting_names_exist_in_both_languages():
    keys = {f"{prefix}.{member}" for enum_cls, prefix in [(customers_module.Card, "customers.card"), (customers_module.Channel, "customers.channel"), (customers_module.Post, "customers.post"), (customers_module.OwnershipState, "customers.state"), (customers_module.ChangeCause, "customers.cause")] for member in enum_cls}
    keys |= {f"setting.{s.key}" for s in customers_module.SETTINGS}
    for lang in ("zh_CN", "en"):
        assert keys <= catalog(lang).keys(), sorted(keys - catalog(lang).keys())


# ---- issue 10 T1: a second click is not a second visit -------------------------------------------------------

def test_T1_the_same_receiver_within_the_window_is_a_repeat_and_the_first_is_returned():
    from lib.domain.showroom.customers import recent_duplicate

    t0 = dt.datetime(2026, 5, 11, 10, 0)
    first = ShowroomContact(at=t0, channel=Channel.walk_in, received_by="C1", registered_by="PC", id=1)
    second = ShowroomContact(at=t0 + dt.timedelta(seconds=1), channel=Channel.walk_in, received_by="C1", id=2)
    other = ShowroomContact(at=t0, channel=Channel.walk_in, received_by="C2", id=3)
    fixed = ShowroomContact(at=t0, channel=Channel.walk_in, received_by="C1", is_correction=True, id=4)
    now = t0 + dt.timedelta(seconds=2)
    assert recent_duplicate([second, first, other], received_by="C1", now=now, window_seconds=120) == first
    assert recent_duplicate([other, fixed], received_by="C1", now=now, window_seconds=120) is None
    assert recent_duplicate([first], received_by="C1", now=t0 + dt.timedelta(seconds=121), window_seconds=120) is None
    assert recent_duplicate([first], received_by="C1", now=now, window_seconds=0) is None
    assert "showroom.duplicate_window_seconds" in {s.key for s in customers_module.SETTINGS}


def test_R4_a_contact_name_follows_the_forms_text_rule_stripped_and_nfc_normalised():
    import datetime as dt
    import unicodedata

    from lib.domain.showroom.customers import validate_contact

    form = validate_contact(customer_name="  Zoe\u0308 王 ", phone="138 1234 5678", matter="试驾\r\n",
                            visit_date=dt.date(2026, 5, 11))
    assert form.customer_name == "Zo\u00eb 王" == unicodedata.normalize("NFC", form.customer_name)
    assert form.matter == "试驾"
