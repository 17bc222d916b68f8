"""The order list's CSV export is streamed in chunks (issue 13): every row once, in list
order, however the chunks fall."""

from __future__ import annotations

import csv
import io

from workorders import views


def test_export_streams_every_row_across_chunks(session, world, create, login_as, client,
                                                clock, monkeypatch):
    numbers = []
    for _ in range(5):
        numbers.append(create().number)
        clock.advance(minutes=1)
    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    login_as(world.supervisor)
    response = client.get("/workorders/export.csv?view=all")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(views.EXPORT_COLUMNS)
    assert [r[0] for r in rows[1:]] == numbers[::-1]  # newest first, each once


def test_export_stops_at_the_limit(session, world, create, login_as, client, monkeypatch):
    for _ in range(3):
        create()
    monkeypatch.setattr(views, "EXPORT_CHUNK", 1)
    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    login_as(world.supervisor)
    body = client.get("/workorders/export.csv?view=all").get_data(as_text=True)
    assert len(body.strip().splitlines()) == 1 + 2
