"""Issue 11.5: a voicemail order stays flagged "listen and complete" (听录音并补全) on the
agents' desk until an agent fills in the description from the order's page."""

from __future__ import annotations

from tests.conftest import csrf_token_from

FLAG = {"zh": "听录音并补全", "en": "Listen and complete"}


def test_the_desk_flags_a_voicemail_until_an_agent_completes_it(session, world, clock, ctx,
                                                                 login_as, client):
    from workorders.services.lookup import add_spoken_draft, open_from_voicemail

    order = open_from_voicemail(session, caller="+8613912345678", recording_url="https://r",
                                transcription="", category="leak", call_sid="CA77",
                                account_id=world.customer.id, area_id=None, now=clock.now(),
                                ctx=ctx)
    add_spoken_draft(session, order.number, "楼下爆管", now=clock.now())
    session.commit()
    login_as(world.agent)
    desk = client.get("/workorders/?view=all").get_data(as_text=True)
    assert FLAG["zh"] in desk and "listen-flag" in desk
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert FLAG["zh"] in detail and ">楼下爆管</textarea>" in detail  # the draft to confirm
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "update_details",
        "version": order.version, "description": "楼下爆管，解放路12号门口"})
    assert response.status_code == 302
    session.expire_all()
    assert order.missing_details == "" and order.description == "楼下爆管，解放路12号门口"
    desk = client.get("/workorders/?view=all").get_data(as_text=True)
    assert FLAG["zh"] not in desk


def test_the_flag_in_english(session, world, clock, ctx, login_as, client):
    from workorders.services.lookup import open_from_voicemail

    open_from_voicemail(session, caller="+8613912345678", recording_url="https://r",
                        transcription="", category="leak", call_sid="CA78",
                        account_id=world.customer.id, area_id=None, now=clock.now(), ctx=ctx)
    session.commit()
    world.agent.locale = "en"
    session.commit()
    login_as(world.agent)
    desk = client.get("/workorders/?view=all").get_data(as_text=True)
    assert FLAG["en"] in desk and FLAG["zh"] not in desk
