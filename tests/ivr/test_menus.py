"""The menu logic alone: no app, no database."""

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ivr import menus
from workorders.rules.states import STATUSES

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)


def test_valid_key_chooses_its_action():
    assert menus.choose(menus.MAIN_OPTIONS, "1", 0).action == "balance"
    assert menus.choose(menus.MAIN_OPTIONS, "9", 0).action == "english"
    assert menus.choose(menus.MAIN_OPTIONS, "0", 2).action == "agent"


def test_invalid_or_no_input_repeats_twice_then_goes_to_an_agent():
    first = menus.choose(menus.MAIN_OPTIONS, "7", 0)
    second = menus.choose(menus.MAIN_OPTIONS, None, first.attempt)
    third = menus.choose(menus.MAIN_OPTIONS, "", second.attempt)
    assert (first.action, first.attempt) == ("repeat", 1)
    assert (second.action, second.attempt) == ("repeat", 2)
    assert third.action == "agent"


def test_english_hint_is_spoken_in_english_only_in_the_mandarin_menu():
    assert menus.main_menu("zh")[-1].language == "en"
    assert all(line.language is None for line in menus.main_menu("en"))


def test_account_and_order_digits():
    assert menus.account_digits("1234567#") == "1234567"
    assert menus.account_digits("12") is None
    assert menus.account_digits("12a45") is None
    assert menus.order_digits("202600017") == "202600017"
    assert menus.order_digits("") is None


def test_balance_reads_balance_and_last_bill():
    lines = menus.balance_lines(menus.BalanceFact("100201", Decimal("56.5"), date(2026, 11, 1),
                                                  Decimal("42")), "en")
    assert lines[0].params == {"account": "1 0 0 2 0 1", "amount": "56.50"}
    assert lines[1].params["date"] == "November 01, 2026"
    assert lines[1].params["amount"] == "42.00"


def test_outages_r26_emergency_with_latest_progress_planned_active_and_upcoming():
    facts = [
        menus.OutageFact("emergency", "main burst", NOW, NOW.replace(hour=8), "crew on site"),
        menus.OutageFact("planned", "valve work", NOW.replace(hour=1), NOW.replace(hour=9), None),
        menus.OutageFact("planned", "meter swap", NOW.replace(day=25), NOW.replace(day=26), None),
    ]
    lines = menus.outage_lines(facts, NOW, ZONE, "zh", say_none=False)
    assert "emergency" in lines[0].message and lines[1].params == {"note": "crew on site"}
    assert "is on in your area" in lines[2].message
    assert lines[2].params["end"] == "11月24日17点00分"
    assert "starts at" in lines[3].message
    assert menus.outage_lines([], NOW, ZONE, "zh", say_none=False) == []
    assert len(menus.outage_lines([], NOW, ZONE, "zh", say_none=True)) == 1


def test_order_status_says_nothing_about_people_r27():
    fact = menus.OrderFact("WO-2026-00017", "dispatched", "Maintenance", NOW)
    lines = menus.order_lines(fact, ZONE, "en")
    assert lines[0].params["number"] == "W O 2 0 2 6 0 0 0 1 7"
    assert isinstance(lines[0].params["status"], menus.Term)
    assert [line.params for line in lines[1:]] == [{"department": "Maintenance"},
                                                   {"due": "November 24, 10:00"}]


def test_wait_estimate_and_callback_offer_after_the_configured_seconds():
    info = menus.WaitInfo(position=3, average_wait=200, waited=50)
    assert menus.estimated_wait_minutes(info) == 3
    assert menus.estimated_wait_minutes(menus.WaitInfo(2, 0, 10)) == 2
    assert not menus.offer_callback(menus.WaitInfo(1, 0, 29), 30)
    assert menus.offer_callback(menus.WaitInfo(1, 0, 30), 30)
    assert len(menus.wait_lines(menus.WaitInfo(1, 0, 30), 30)) == 2


@pytest.mark.parametrize("status", STATUSES)
def test_every_order_status_is_spoken_in_words_never_as_its_code(app, status):
    """Issue 11 item 6: "…1 1reopened。" no more: each status has zh-CN and English words."""
    from ivr.twiml import translate

    assert status in menus.ORDER_STATUS_LABELS
    fact = menus.OrderFact("WO-20261124-0011", status, None, None)
    (line,) = menus.order_lines(fact, ZONE, "zh")
    with app.app_context():
        spoken_zh = translate(line, "zh")
        spoken_en = translate(line, "en")
    assert not any("a" <= ch.lower() <= "z" for ch in spoken_zh.replace("W O", "")), spoken_zh
    assert "_" not in spoken_en and menus.ORDER_STATUS_LABELS[status] in spoken_en


def test_an_unknown_status_is_not_spoken_as_a_code():
    (line,) = menus.order_lines(menus.OrderFact("WO-1", "mystery", None, None), ZONE, "en")
    assert line.params["status"].message == "being processed"


def test_last_digits_and_verify_attempts_r27():
    from ivr.menus import VERIFY_ATTEMPTS, last_digits, verify_next

    assert last_digits("5678") == "5678" and last_digits("5678#") == "5678"
    assert last_digits("567") is None and last_digits("56789") is None
    assert last_digits("") is None and last_digits(None) is None
    assert VERIFY_ATTEMPTS == 2
    assert verify_next(1) == "retry" and verify_next(2) == "agent"


def test_holder_matches_by_number_or_last_digits_r27():
    from hotline.directory.phones import holder_matches

    phones = ["+8613912345678", ""]
    assert holder_matches(phones, caller="13912345678")
    assert not holder_matches(phones, caller="anonymous")
    assert holder_matches(phones, last_digits="5678")
    assert not holder_matches(phones, last_digits="0000")
    assert not holder_matches([""], last_digits="")  # an empty contact matches nothing
