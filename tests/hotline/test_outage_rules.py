"""R25 lead time and the outage status machine (pure)."""

from datetime import datetime, timedelta, timezone

import pytest

from hotline.outages.rules import can_move, check_lead_time, initial_status

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


@pytest.mark.parametrize("notice, hours, short", [
    (24 * H, 12, False),            # exactly 24 h ahead, exactly 12 h long: allowed
    (24 * H - timedelta(minutes=1), 12, True),
    (30 * H, 4, False),
])
def test_r25_up_to_12_hours_needs_24_hours_notice(notice, hours, short):
    check = check_lead_time("planned", NOW + notice, NOW + notice + hours * H, NOW, False)
    assert check.short_notice is short
    assert not check.long_outage and not check.needs_approval


@pytest.mark.parametrize("notice, short", [(48 * H, False), (47 * H, True), (30 * H, True)])
def test_r25_over_12_hours_needs_48_hours_notice_and_approval(notice, short):
    start = NOW + notice
    check = check_lead_time("planned", start, start + 12 * H + timedelta(minutes=1), NOW,
                            has_approver=True)
    assert check.long_outage and check.short_notice is short and not check.needs_approval
    unapproved = check_lead_time("planned", start, start + 20 * H, NOW, has_approver=False)
    assert unapproved.needs_approval and not unapproved.ok


def test_emergency_outages_have_no_lead_time():
    check = check_lead_time("emergency", NOW, NOW + 30 * H, NOW, has_approver=False)
    assert check.ok


def test_status_machine():
    assert can_move("scheduled", "active") and can_move("scheduled", "cancelled")
    assert can_move("active", "restored")
    assert not can_move("active", "cancelled") and not can_move("restored", "active")
    assert not can_move("cancelled", "active") and not can_move("scheduled", "restored")
    assert initial_status(NOW, NOW) == "active"
    assert initial_status(NOW + H, NOW) == "scheduled"
