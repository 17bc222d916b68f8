"""Charts and reports in a real browser (Debian's chromium through Playwright): every chart
is drawn by the vendored ECharts with its series data, in both languages, and clicking a
figure opens the calls or orders behind it; the XLSX the report page downloads has the API's
figures; the wallboard refreshes in place. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from openpyxl import load_workbook

from ivr.models import Call
from tests.factories import make_token
from tests.ivr.test_browser import browser, live_server  # noqa: F401 (fixtures)
from tests.sla.test_reports import table_rows

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only, pytest.mark.commits]  # live server threads
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

DRAWN = """() => Array.from(document.querySelectorAll('[data-chart-url]'))
                   .every(el => el.dataset.state)"""
SERIES = """el => {
  const chart = echarts.getInstanceByDom(el);
  if (!chart) { return null; }
  return chart.getOption().series.map(s => s.data.filter(v => v !== null && v !== 0).length);
}"""
PAINTED = """el => {
  const canvas = el.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted += 1; } }
  return painted;
}"""
POINT = """([id, series, index, value]) => {
  const el = document.getElementById(id);
  const [x, y] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: series},
                                                             [index, value]);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password123")
    page.click("form button.primary")
    page.wait_for_url(f"{base}/")


def _charts(page, base):
    page.goto(f"{base}/sla/charts/?day=2026-11-24")
    page.wait_for_function(DRAWN)
    charts = page.query_selector_all("[data-chart-url]")
    assert [c.get_attribute("data-state") for c in charts] == ["drawn"] * 6
    return {c.get_attribute("id"): c for c in charts}


def test_charts_are_drawn_with_data_and_click_through(app, session, world, month,
                                                      live_server, browser):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    _login(page, live_server, world.supervisor.username)
    ARTIFACTS.mkdir(exist_ok=True)
    for locale, title in (("en", "Backlog and overdue orders, 2026-11"),
                          ("zh_CN", "2026-11 积压与超时工单")):
        world.supervisor.locale = locale
        session.commit()
        charts = _charts(page, live_server)
        assert title in page.inner_text("#charts")
        for name, el in charts.items():
            counts = el.evaluate(SERIES)
            assert counts and any(counts), (name, counts)  # the series carry data
            assert el.evaluate(PAINTED) > 1000, name  # and the canvas is painted
        page.screenshot(path=str(ARTIFACTS / f"sla-charts-{locale}.png"), full_page=True)
    assert errors == []

    # The 09:00 bar of the 15-minute chart opens the four calls that entered the queue then.
    x, y = page.evaluate(POINT, ["chart-intervals", 0, 36, 1])  # clear of the lines
    page.mouse.click(x, y)
    page.wait_for_url("**/calls/?since=2026-11-24T09:00&until=2026-11-24T09:15&queued=1")
    assert page.locator("#calls tbody tr").count() == 4

    # The leak bar of the categories chart opens the leaks of the month.
    charts = _charts(page, live_server)
    categories = charts["chart-categories"].evaluate(
        "el => echarts.getInstanceByDom(el).getOption().xAxis[0].data")
    leak = categories.index("漏水/爆管")
    x, y = page.evaluate(POINT, ["chart-categories", 0, leak, 1])
    page.mouse.click(x, y)
    page.wait_for_url("**/workorders/?view=all&opened_from=2026-11-01&opened_to=2026-11-30"
                      "&category=leak&area=north")
    assert "共 2 张工单" in page.inner_text("main")


@pytest.fixture
def app_config():
    return {"HOTLINE_WALLBOARD_REFRESH_SECONDS": 1}


def test_wallboard_refreshes_in_place(app, session, world, clock, live_server, browser):
    page = browser.new_context().new_page()
    _login(page, live_server, world.agent.username)
    page.goto(f"{live_server}/sla/wallboard")
    page.evaluate("window.notReloaded = true")
    assert page.inner_text("#waiting-count") == "0"
    session.add(Call(call_sid="CA" + "7" * 32, from_number="+8613912345678",
                     started_at=clock.now() - timedelta(seconds=40),
                     entered_queue_at=clock.now() - timedelta(seconds=30)))
    session.commit()
    page.wait_for_function("document.getElementById('waiting-count').textContent === '1'")
    assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
    assert "+86139****5678" in page.inner_text("#wallboard")
    assert not page.is_visible("#wallboard-stale")


def test_report_download_has_the_api_figures(app, session, client, world, month, clock,
                                             live_server, browser):
    token = make_token(session, world.supervisor, clock.now())
    world.supervisor.locale = "en"
    session.commit()
    api = client.get("/api/v1/reports/monthly?month=2026-11",
                     headers={"Authorization": f"Bearer {token}"}).get_json()
    page = browser.new_context(accept_downloads=True).new_page()
    _login(page, live_server, world.supervisor.username)
    page.goto(f"{live_server}/sla/report?month=2026-11")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sla-report-en.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename == "monthly-report-2026-11.xlsx"
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    book = load_workbook(saved)
    figures = {row[0]: row[1] for row in table_rows(book["Figures"])}
    assert figures["Calls offered"] == api["calls"]["offered"] == 8
    assert figures["Answer rate"] == api["calls"]["answer_rate"]
    assert figures["Work orders opened"] == api["orders"]["opened"] == 6
    assert figures["Returns"] == api["orders"]["returns"]
    assert figures["Satisfaction"] == api["orders"]["satisfaction_rate"]
    by_department = table_rows(book["Orders by department"])
    assert sum(row[1] for row in by_department) == api["orders"]["opened"]
