"""Pure rules, no app: state machine, routing, numbers."""

from __future__ import annotations

from datetime import date

import pytest

from workorders.rules import routing
from workorders.rules.numbers import format_number, normalise
from workorders.rules.states import (ACTIONS, STATUSES, Actor, OrderFacts, Refused,
                                     available_actions, check, follow_up_decision)

AGENT = Actor(1, "agent")
OWNER = Actor(2, "agent")
BOSS = Actor(3, "supervisor")
STAFF = Actor(4, "staff", frozenset({10}))
OTHER_STAFF = Actor(5, "staff", frozenset({11}))


def facts(status="dispatched", **kw):
    return OrderFacts(status=status, department_id=kw.pop("department_id", 10), owner_id=2,
                      **kw)


def test_every_action_targets_a_known_status():
    for spec in ACTIONS.values():
        assert set(spec.sources) <= set(STATUSES)
        assert spec.target is None or spec.target in STATUSES


def test_department_staff_accept_their_own_department_only():
    assert check(STAFF, facts(), "accept", {}).target == "accepted"
    with pytest.raises(Refused) as refused:
        check(OTHER_STAFF, facts(), "accept", {})
    assert refused.value.kind == "forbidden"


def test_illegal_transition_is_refused_with_the_state():
    with pytest.raises(Refused) as refused:
        check(STAFF, facts("new"), "resolve", {"result": "x"})
    assert refused.value.kind == "state"


def test_missing_field_is_named():
    with pytest.raises(Refused) as refused:
        check(STAFF, facts("accepted"), "resolve", {"result": "  "})
    assert refused.value.kind == "missing" and refused.value.fields == {"result": "required"}
    with pytest.raises(Refused) as refused:
        check(STAFF, facts("accepted"), "request_extension", {"reason": "x"})
    assert refused.value.fields == {"new_due": "required"}  # R15


def test_unknown_action():
    with pytest.raises(Refused) as refused:
        check(AGENT, facts(), "explode", {})
    assert refused.value.kind == "unknown"


def test_recusal_refuses_the_named_user_everything():  # R28
    named = facts("dispatched", subject_user_id=STAFF.id)
    with pytest.raises(Refused) as refused:
        check(STAFF, named, "accept", {})
    assert refused.value.kind == "forbidden" and "R28" in refused.value.message
    assert available_actions(STAFF, named) == []


def test_only_owner_or_supervisor_chase_and_cancel():  # R20
    assert "chase" in available_actions(OWNER, facts())
    assert "chase" not in available_actions(AGENT, facts())
    assert "chase" in available_actions(BOSS, facts())
    assert "cancel" not in available_actions(AGENT, facts())


def test_extension_approval_needs_supervisor_and_a_request():  # R15
    pending = facts("in_progress", extension_pending=True)
    assert "approve_extension" in available_actions(BOSS, pending)
    assert "approve_extension" not in available_actions(STAFF, pending)
    with pytest.raises(Refused):
        check(BOSS, facts("in_progress"), "approve_extension", {})


def test_follow_up_needs_scores_and_customer_words():  # R12, R23
    resolved = facts("resolved")
    with pytest.raises(Refused) as refused:
        check(AGENT, resolved, "follow_up", {"outcome": "satisfied", "attitude": 6})
    assert set(refused.value.fields) == {"attitude", "quality", "timeliness", "result_score"}
    scores = {"attitude": 1, "quality": 1, "timeliness": 1, "result_score": 1}
    with pytest.raises(Refused) as refused:
        check(AGENT, resolved, "follow_up", {"outcome": "unsatisfied", **scores})
    assert "text" in refused.value.fields
    check(AGENT, resolved, "follow_up", {"outcome": "unreachable"})
    assert follow_up_decision("unsatisfied").status == "reopened"
    assert follow_up_decision("satisfied").close
    assert follow_up_decision("unreachable").attempts_delta == 1


DEPTS = [routing.Dept(1, "maintenance", 100), routing.Dept(2, "maintenance", None),
         routing.Dept(3, "billing", None), routing.Dept(4, "customer_service", None)]
RULES = [routing.Rule(1, "leak", "maintenance"), routing.Rule(2, "connection",
                                                              "customer_service", position=10),
         routing.Rule(3, "connection", "maintenance", position=20)]


def test_routing_prefers_the_area_department_then_city_wide():  # R7
    assert routing.route("leak", 100, RULES, DEPTS) == routing.Route(1, 1, "area")
    assert routing.route("leak", 200, RULES, DEPTS) == routing.Route(2, 1, "city_wide")


def test_routing_falls_through_rules_and_to_default_kind():
    assert routing.route("connection", 100, RULES, DEPTS).department_id == 4
    no_cs = [d for d in DEPTS if d.kind != "customer_service"]
    assert routing.route("connection", 100, RULES, no_cs).department_id == 1
    assert routing.route("billing_dispute", 100, [], DEPTS, default_kind="billing") == \
        routing.Route(3, None, "city_wide")
    assert routing.route("water_theft", 100, [], DEPTS, default_kind="enforcement") is None


def test_area_specific_and_fixed_rules_win():
    rules = RULES + [routing.Rule(9, "leak", "maintenance", area_id=100, department_id=2)]
    assert routing.route("leak", 100, rules, DEPTS) == routing.Route(2, 9, "fixed")
    inactive = RULES[:1] + [routing.Rule(9, "leak", "maintenance", area_id=100,
                                         department_id=2, active=False)]
    assert routing.route("leak", 100, inactive, DEPTS).department_id == 1


@pytest.mark.parametrize("typed", ["WO-20261124-0042", "202611240042", "wo 20261124 0042",
                                   "2026-1124-0042"])
def test_number_accepts_digits_with_or_without_prefix_and_dashes(typed):
    assert normalise(typed) == "WO-20261124-0042"


@pytest.mark.parametrize("typed", ["", "WO-", "abc", "2026112400", None])
def test_number_rejects_non_numbers(typed):
    assert normalise(typed) is None


def test_format_number():
    assert format_number(date(2026, 1, 2), 7) == "WO-20260102-0007"


def test_seeded_categories_match_the_stable_codes(session):
    from sqlalchemy import select

    from workorders.models import Category
    from workorders.rules.catalog import CATEGORY_CODES

    assert set(session.scalars(select(Category.code))) == set(CATEGORY_CODES)


def test_resolved_sms_never_ends_with_two_stops():
    from workorders.rules import sms

    for result in ("已更换阀门。", "已更换阀门", "Valve replaced.", "已修复！ "):
        text = sms.resolved("WO-20261124-0001", result)
        assert "。。" not in text and ".。" not in text and "！。" not in text
        assert text.endswith("感谢您的支持。")
