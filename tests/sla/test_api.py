"""GET /api/v1/metrics/service-level reads the rollups (R1, R2)."""

from datetime import timedelta

from sla.ports import CallFact
from sla.service_level import LevelSettings, rollup_recent
from tests.factories import make_token, make_user


def test_service_level_api(app, session, client, clock, calls):
    t = clock.now()
    calls.facts += [CallFact(1, t, t, t + timedelta(seconds=5), t + timedelta(minutes=3),
                             "answered"),
                    CallFact(2, t, t, t + timedelta(seconds=20), t + timedelta(minutes=3),
                             "answered")]
    rollup_recent(session, calls, t + timedelta(minutes=20), LevelSettings())
    supervisor = make_user(session, "supervisor")
    agent = make_user(session, "agent")
    headers = {"Authorization": f"Bearer {make_token(session, supervisor, t)}"}
    agent_headers = {"Authorization": f"Bearer {make_token(session, agent, t)}"}
    session.commit()
    query = {"start": (t - timedelta(hours=1)).isoformat(),
             "end": (t + timedelta(hours=1)).isoformat()}
    body = client.get("/api/v1/metrics/service-level", query_string=query,
                      headers=headers).get_json()
    assert (body["offered"], body["answered_in_threshold"], body["service_level"]) == \
        (2, 1, 0.5)
    assert len(body["intervals"]) == 1 and body["threshold_seconds"] == 12
    assert client.get("/api/v1/metrics/service-level", headers=agent_headers).status_code == 403
    assert client.get("/api/v1/metrics/service-level").status_code == 401
    bad = client.get("/api/v1/metrics/service-level", headers=headers,
                     query_string={"start": query["end"], "end": query["start"]})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"]["start"]
    assert client.get("/api/v1/metrics/service-level", headers=headers,
                      query_string={"start": "yesterday"}).status_code == 422
    assert "/api/v1/metrics/service-level" in client.get("/api/v1/openapi.json").get_json()["paths"]
