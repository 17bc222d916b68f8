"""The crew's flow on a phone (issue 12 items 7 and 10), in Debian's chromium at 390 x 844:
log in as a crew member, open the queue, accept, report on site (the browser's location,
allowed), add a note (tapped twice: one note), upload a photo, resolve. No page is wider
than the screen, the buttons are big, the CSP reports nothing. Screenshots go to
tests/artifacts/crew-*.png."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.ivr.test_browser import _login, wait_until
from tests.ivr.test_browser import browser, live_server  # noqa: F401 (fixtures)
from workorders.models import OrderPhoto, WorkOrder, WorkOrderEvent

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only, pytest.mark.commits]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
BUTTONS = "els => els.map(e => [e.id, e.getBoundingClientRect().height])"


def _fits(page, name: str) -> None:
    """No horizontal scroll at 390 px; a full-page screenshot to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"crew-{name}.png"), full_page=True)
    scroll, inner = page.evaluate(WIDTHS)
    assert scroll <= inner == 390, f"{name}: {scroll} px wide on a {inner} px screen"


def test_the_crew_flow_on_a_phone(app, session, world, create, live_server, browser,
                                  tmp_path):
    order = create(description="人行道下水管破裂，水流到路面")
    create(category="no_water")
    context = browser.new_context(**PHONE, geolocation={"latitude": 30.657421,
                                                        "longitude": 104.065735,
                                                        "accuracy": 15},
                                  permissions=["geolocation"])
    page = context.new_page()
    violations, errors = [], []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    _login(page, live_server, world.fixer.username)
    _fits(page, "home")

    page.click("nav.mainnav a[href='/crew/']")
    page.wait_for_selector("#crew-queue")
    cards = page.query_selector_all("#crew-queue a.crew-card")
    assert len(cards) == 2
    _fits(page, "queue")

    page.click(f"a[href='/crew/{order.number}']")
    page.wait_for_selector("#do-accept")
    _fits(page, "order-new")
    heights = page.eval_on_selector_all(".crew button.big", BUTTONS)
    assert heights and all(h >= 48 for _, h in heights), heights
    assert page.eval_on_selector(".crew-where", "e => parseFloat(getComputedStyle(e).fontSize)") >= 16

    page.click("#do-accept")
    page.wait_for_selector("#do-arrive")
    assert "已完成：签收" in page.inner_text(".flash")
    page.click("#do-arrive")  # the browser's location, allowed for this test
    page.wait_for_selector("#arrival")
    assert "位置 30.65742, 104.06574" in page.inner_text("#arrival")
    assert "误差 15 米" in page.inner_text("#arrival")
    _fits(page, "on-site")

    page.fill("textarea[name=text]", "已关闭上游阀门，等待抢修")
    page.dblclick("#do-note")  # a double tap sends one note
    page.wait_for_selector(".flash")
    photo = tmp_path / "leak.jpg"
    Image.new("RGB", (1600, 1200), (40, 110, 170)).save(photo, "JPEG")
    page.set_input_files("input[name=photo]", str(photo))
    page.click("form[enctype] button.big")
    page.wait_for_selector("#photos img")
    wait_until(page, "document.querySelector('#photos img').naturalWidth > 0")
    _fits(page, "photo")

    page.fill("textarea[name=result]", "更换破损管段 1 米，恢复供水")
    page.click("#do-resolve")
    page.wait_for_selector(".flash-success")
    assert "已办结" in page.inner_text("h1")
    _fits(page, "resolved")

    page.goto(f"{live_server}/workorders/{order.number}")  # the full page fits too
    _fits(page, "full-order")
    world.fixer.locale = "en"
    session.commit()
    page.goto(f"{live_server}/crew/{order.number}")
    assert "Location 30.65742, 104.06574" in page.inner_text("#arrival")
    _fits(page, "resolved-en")

    session.expire_all()
    events = [e.action for e in session.scalars(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id).order_by(WorkOrderEvent.id))]
    assert [a for a in events if a in ("accept", "arrive", "note", "add_photo", "resolve")] \
        == ["accept", "arrive", "note", "add_photo", "resolve"]
    arrive = session.scalar(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id, WorkOrderEvent.action == "arrive"))
    assert arrive.payload["location"] == {"lat": 30.657421, "lon": 104.065735,
                                          "accuracy_m": 15}
    assert session.get(WorkOrder, order.id).status == "resolved"
    assert session.scalar(select(OrderPhoto.width)) == 1600
    assert violations == [] and errors == []


def test_on_site_without_permission_still_counts(app, session, world, create, act,
                                                 live_server, browser):
    order = create()
    act(world.fixer, order, "accept")
    page = browser.new_context(**PHONE).new_page()  # no geolocation permission: refused
    _login(page, live_server, world.fixer.username)
    page.goto(f"{live_server}/crew/{order.number}")
    page.click("#do-arrive")
    page.wait_for_selector("#arrival")
    assert "未记录位置：浏览器未获准定位" in page.inner_text("#arrival")
    session.expire_all()
    assert session.get(WorkOrder, order.id).arrived_at is not None
