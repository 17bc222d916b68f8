"""R13: N open orders of one category in one area within the window form one cluster."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.errors import Conflict, ValidationFailed
from hotline.notifications.models import Notification
from sla import clocks
from sla.clusters import close_cluster, detect_clusters
from sla.models import Cluster
from sla.ports import ports
from sla.settings import current_context
from tests.factories import make_area


def detect(app, session, now, size=3, minutes=120):
    return detect_clusters(session, ports(app), now, size=size,
                           window=timedelta(minutes=minutes), ctx=current_context(session))


def test_three_in_window_make_a_cluster_with_escalation_clock(app, session, clock, orders):
    area = make_area(session)
    other = make_area(session)
    now = clock.now()
    for i, minutes in ((1, 100), (2, 50), (3, 0)):
        orders.add(i, area_id=area.id, category="no_water",
                   opened_at=now - timedelta(minutes=minutes))
    orders.add(4, area_id=other.id, category="no_water", opened_at=now)
    orders.add(5, area_id=area.id, category="leak", opened_at=now)
    orders.add(6, area_id=area.id, category="no_water", opened_at=now - timedelta(hours=3))
    result = detect(app, session, now)
    assert len(result.created) == 1
    cluster = session.get(Cluster, result.created[0])
    assert (cluster.category, cluster.area_id, cluster.member_ids) == ("no_water", area.id,
                                                                        [1, 2, 3])
    (deadline,) = clocks.active_clocks(session, ("cluster", cluster.id))
    assert deadline.kind == "escalate_cluster" and deadline.limit_working_days == 2
    # Tue 24 Nov 10:00 local → end of Thu 26 Nov (the second working day after).
    assert deadline.due_at.isoformat() == "2026-11-26T16:00:00+00:00"
    notice = session.scalar(select(Notification))
    assert notice.recipient_role == "supervisor" and notice.dedupe_key == f"cluster:{cluster.id}"


def test_detection_is_idempotent_and_later_orders_join(app, session, clock, orders):
    area = make_area(session)
    now = clock.now()
    for i in (1, 2, 3):
        orders.add(i, area_id=area.id, opened_at=now)
    first = detect(app, session, now)
    assert detect(app, session, now).created == []
    orders.add(4, area_id=area.id, opened_at=now + timedelta(minutes=30))
    joined = detect(app, session, now + timedelta(minutes=30))
    assert joined.created == [] and joined.joined == [(first.created[0], 4)]
    assert session.scalar(select(Cluster)).member_ids == [1, 2, 3, 4]
    assert len(session.scalars(select(Cluster)).all()) == 1


def test_two_are_not_a_cluster_and_size_is_configurable(app, session, clock, orders):
    area = make_area(session)
    now = clock.now()
    for i in (1, 2):
        orders.add(i, area_id=area.id, opened_at=now)
    assert detect(app, session, now).created == []
    assert len(detect(app, session, now, size=2).created) == 1
    with pytest.raises(ValidationFailed):
        detect(app, session, now, size=1)


def test_closing_meets_the_escalation_clock(app, session, clock, orders):
    area = make_area(session)
    now = clock.now()
    for i in (1, 2, 3):
        orders.add(i, area_id=area.id, opened_at=now)
    (cluster_id,) = detect(app, session, now).created
    with pytest.raises(ValidationFailed):
        close_cluster(session, cluster_id, user_id=None, note=" ", now=now)
    close_cluster(session, cluster_id, user_id=None, note="管网抢修完成", now=now)
    assert clocks.active_clocks(session, ("cluster", cluster_id)) == []
    with pytest.raises(Conflict):
        close_cluster(session, cluster_id, user_id=None, note="again", now=now)
    # A new burst after closing opens a new cluster.
    for i in (7, 8, 9):
        orders.add(i, area_id=area.id, opened_at=now + timedelta(minutes=1))
    assert len(detect(app, session, now + timedelta(minutes=1)).created) == 1


def test_r13_three_complaints_across_one_local_day_form_a_cluster(app, session, clock, orders):
    """R13: "within a working day": 09:00, 12:00 and 15:30 local form one cluster with the
    default (day-long) window; the previous evening's complaint does not count."""
    from datetime import datetime

    from tests.conftest import SHANGHAI

    area = make_area(session)
    day = [datetime(2026, 11, 24, h, m, tzinfo=SHANGHAI) for h, m in ((9, 0), (12, 0),
                                                                       (15, 30))]
    orders.add(9, area_id=area.id, category="complaint",
               opened_at=datetime(2026, 11, 23, 22, 0, tzinfo=SHANGHAI))
    ctx = current_context(session)
    for i, opened in enumerate(day[:2], 1):
        orders.add(i, area_id=area.id, category="complaint", opened_at=opened)
    assert detect_clusters(session, ports(app), day[1], size=3, window=None,
                           ctx=ctx).created == []
    orders.add(3, area_id=area.id, category="complaint", opened_at=day[2])
    result = detect_clusters(session, ports(app), day[2], size=3, window=None, ctx=ctx)
    assert len(result.created) == 1
    assert session.get(Cluster, result.created[0]).member_ids == [1, 2, 3]
    # The old 120-minute sliding window would not have seen them together.
    assert app.config["HOTLINE_CLUSTER_WINDOW_MINUTES"] == 0


def test_clock_job_uses_the_day_long_window(app, session, clock, orders):
    from sla.jobs import watch_clusters

    area = make_area(session)
    now = clock.now()
    for i, hours in ((1, 0.9), (2, 0.5), (3, 0)):  # 09:06, 09:30 and 10:00 local
        orders.add(i, area_id=area.id, category="no_water",
                   opened_at=now - timedelta(hours=hours))
    orders.add(4, area_id=area.id, category="no_water", opened_at=now - timedelta(hours=11))
    assert watch_clusters(session, app, now) == {"created": 1, "joined": 0}
    assert session.scalar(select(Cluster)).member_ids == [1, 2, 3]
