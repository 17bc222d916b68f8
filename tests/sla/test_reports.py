"""The monthly report and the department assessment over real orders and calls: the page,
the JSON API, CSV and XLSX agree (P1, P2, R1, R2, R12, R14, R15, R23, P3); exports never
hold a live formula; who may read what."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from sla.ports import ports
from tests.factories import make_token, make_user
from workorders import stats


def _api(client, session, clock, path, role="supervisor"):
    token = make_token(session, make_user(session, role), clock.now())
    session.commit()
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def table_rows(sheet) -> list[tuple]:
    """A sheet's table: three heading lines, a blank row, the column headings (row 5), the
    rows, then maybe a blank row and a note."""
    rows = []
    for row in sheet.iter_rows(min_row=6, values_only=True):
        if not any(v is not None for v in row):
            break
        rows.append(row)
    return rows


def _summary(book) -> dict[str, object]:
    return {row[0]: row[1] for row in table_rows(book.worksheets[0])}


def test_xlsx_totals_equal_the_api_figures(app, session, client, clock, month, login_as,
                                           world):
    body = _api(client, session, clock, "/api/v1/reports/monthly?month=2026-11").get_json()
    calls, orders = body["calls"], body["orders"]
    assert (calls["offered"], calls["answered"], calls["answered_in_threshold"]) == (8, 6, 4)
    assert orders["opened"] == 6 and orders["returns"] == 1 and orders["extensions"] == 1
    assert orders["enquiries"] == 2 and orders["direct_answer_rate"] == 0.5  # P1
    assert orders["satisfaction_rate"] == 0.5 and orders["reopen_rate"] == pytest.approx(1 / 3)
    # R13: the month's second leak from the same caller repeats the first
    assert orders["follow_up_rate"] == 1.0 and orders["repeated_complaints"] == 1
    assert body["acceptance_on_time"]["decided"] == 3  # quick, complaint on time; late late
    assert body["acceptance_on_time"]["on_time"] == 2

    world.supervisor.locale = "en"
    session.commit()
    response = login_as(world.supervisor).get("/sla/report.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("monthly-report-2026-11.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    figures = _summary(book)
    assert figures["Calls offered"] == calls["offered"]
    assert figures["Calls answered"] == calls["answered"]
    assert figures["Calls abandoned"] == calls["abandoned"] == 1
    assert figures["Average wait (s)"] == pytest.approx(calls["average_wait_seconds"])
    assert figures["Answer rate"] == pytest.approx(calls["answer_rate"])
    assert figures["Answered within 12 s (service level)"] == pytest.approx(
        calls["service_level"])
    assert figures["Work orders opened"] == orders["opened"]
    assert figures["Returns"] == orders["returns"]
    assert figures["Extensions approved"] == orders["extensions"]
    assert figures["Satisfaction"] == pytest.approx(orders["satisfaction_rate"])
    assert figures["Reopen rate"] == pytest.approx(orders["reopen_rate"])
    assert figures["Direct-answer rate (answered on the call)"] == 0.5
    assert figures["Acceptance on time"] == pytest.approx(
        body["acceptance_on_time"]["rate"])
    assert figures["Repeated complaints"] == 1
    departments = book["Orders by department"]
    rows = table_rows(departments)
    assert sum(r[1] for r in rows) == orders["opened"]
    assert sum(r[8] for r in rows) == orders["returns"]
    by_category = {r[0]: r[1] for r in table_rows(book["Orders by category"])}
    assert by_category["Service complaint"] == 1 and sum(by_category.values()) == 6


def test_csv_and_page_carry_the_same_figures_in_chinese(app, session, month, login_as,
                                                         world):
    client = login_as(world.supervisor)  # zh_CN
    text = client.get("/sla/report.csv?month=2026-11").get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    figures = {r[0]: r[1] for r in rows if len(r) > 1}
    assert figures["呼入量"] == "8" and figures["接通率"] == "75.0%"
    assert figures["重复投诉"] == "1"
    page = client.get("/sla/report?month=2026-11").get_data(as_text=True)
    assert "75.0%" in page and "月度报表 2026-11" in page
    assert 'href="/workorders/?view=all&amp;opened_from=2026-11-01&amp;opened_to=2026-11-30' \
        in page
    assert "/calls/?since=2026-11-01T00:00&amp;until=2026-12-01T00:00&amp;queued=1" in page


def test_report_totals_agree_with_the_kpi_port(app, session, month, clock):
    start, end = clock.now().replace(day=1), clock.now().replace(day=30)
    figures = stats.order_figures(session, start, end)
    report = stats.order_report(session, start, end)
    counts = list(report.departments.values())
    assert figures.satisfaction_rate == sum(c.satisfied for c in counts) / sum(
        c.follow_up_answers for c in counts)
    assert figures.reopen_rate == sum(c.reopened for c in counts) / sum(
        c.resolutions for c in counts)
    assert figures.follow_up_rate == sum(c.followed_up for c in counts) / sum(
        c.resolved_orders for c in counts)
    assert ports(app).order_report is stats.order_report


def test_exports_neutralise_formulas(app, session, month, login_as, world):
    world.cs.name_zh = "=HYPERLINK(\"http://evil\",\"点我\")"
    world.lab.name_zh = "@SUM(1+1)"
    world.maint_north.name_zh = "-2+3"
    session.commit()
    client = login_as(world.supervisor)
    book = load_workbook(io.BytesIO(client.get("/sla/report.xlsx?month=2026-11").data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in texts and "'@SUM(1+1)" in texts
    assert all(not t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    for path in ("/sla/report.csv?month=2026-11", "/sla/assessment.csv?month=2026-11"):
        rows = csv.reader(io.StringIO(client.get(path).get_data(as_text=True)))
        fields = [f for row in rows for f in row]
        assert "'-2+3" in fields
        assert all(not f.startswith(("=", "+", "-", "@", "\t", "\r")) for f in fields)
    book = load_workbook(io.BytesIO(client.get("/sla/assessment.xlsx?month=2026-11").data))
    names = [r[1] for r in table_rows(book.worksheets[0])]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in names


def test_assessment_ranks_departments_with_trend(app, session, client, clock, month, world):
    body = _api(client, session, clock, "/api/v1/reports/assessment?month=2026-11").get_json()
    ranked = {d["department"]: d for d in body["departments"]}
    north, cs, lab = ranked["maint-north"], ranked["cs"], ranked["lab"]
    # north: accept 1/2 on time, resolve none due yet, follow-ups 2/2, satisfied 1/2
    assert north["acceptance_on_time"] == 0.5 and north["follow_up_rate"] == 1.0
    assert north["satisfaction_rate"] == 0.5 and north["return_rate"] == 0.0
    assert north["score"] == round(100 * (0.5 + 1.0 + 0.5 + 1.0) / 4, 1)
    assert lab["returns"] == 1 and lab["return_rate"] == 1.0
    assert lab["rank"] is None and lab["score"] is None  # returns alone earn no rank
    assert cs["rank"] == 1 and north["rank"] == 2
    assert [d["department"] for d in body["departments"]][:2] == ["cs", "maint-north"]
    assert ranked["billing-city"]["rank"] is None  # nothing to assess
    assert north["previous"] == {"rank": None, "score": None}  # October had no work
    assert north["score_change"] is None and body["ranked"] == 2


@pytest.mark.parametrize("path", ["/sla/report", "/sla/report.xlsx", "/sla/report.csv",
                                  "/sla/report.json"])
def test_report_is_for_supervisors(app, session, month, login_as, world, path):
    assert login_as(world.fixer).get(path).status_code == 403
    assert login_as(world.agent).get(path).status_code == 403
    assert login_as(world.supervisor).get(path).status_code == 200


def test_staff_see_their_own_department_in_the_assessment(app, session, client, clock, month,
                                                          login_as, world):
    staff = login_as(world.fixer)
    body = staff.get("/sla/assessment.json?month=2026-11").get_json()
    assert [d["department"] for d in body["departments"]] == ["maint-north"]
    assert body["departments"][0]["rank"] == 2 and body["ranked"] == 2
    page = staff.get("/sla/assessment?month=2026-11").get_data(as_text=True)
    assert world.maint_north.name_zh in page and world.cs.name_zh not in page
    book = load_workbook(io.BytesIO(staff.get("/sla/assessment.xlsx?month=2026-11").data))
    assert [r[1] for r in table_rows(book.worksheets[0])] == [world.maint_north.name_zh]
    assert login_as(world.agent).get("/sla/assessment").status_code == 403
    assert _api(client, session, clock, "/api/v1/reports/assessment",
                role="staff").status_code == 403


def test_bad_month_is_refused(app, session, login_as, world, client, clock):
    supervisor = login_as(world.supervisor)
    assert supervisor.get("/sla/report?month=2026-13").status_code == 422
    assert supervisor.get("/sla/assessment.xlsx?month=nov").status_code == 422
    response = _api(client, session, clock, "/api/v1/reports/monthly?month=26-1-1")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"month": "YYYY-MM"}
