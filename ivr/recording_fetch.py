"""Fetching the local copies of recordings (the clock's `fetch_recordings` job). Outbox
style, one copy at a time: claim it in a short transaction, download with no transaction
open (bounded by TWILIO_HTTP_TIMEOUT_SECONDS), write the file, then record the outcome
only if the claim is still ours. Failures are retried with the outbox's backoff; after
MAX_ATTEMPTS the copy is failed (the console says so). The console only ever plays the
local file: no web request calls Twilio."""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from hotline.telephony.outbox import MAX_ATTEMPTS, backoff
from ivr.models import RecordingCopy

log = logging.getLogger("hotline.ivr.recordings")

# What Twilio serves for `{RecordingUrl}.mp3` / `.wav`; anything else is refused.
AUDIO_TYPES = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav",
               "audio/x-wav": ".wav", "audio/wave": ".wav"}
FETCH_SUFFIX = ".mp3"
CLAIM = timedelta(minutes=2)
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    content_type: str


class RecordingHttp(Protocol):
    def get(self, url: str, *, auth: tuple[str, str], timeout: float) -> Fetched:
        """GET `url` with HTTP basic auth; raise OSError on a network failure."""


class RequestsHttp:
    """Production: Twilio's media URLs with the account SID and token (basic auth)."""

    def get(self, url: str, *, auth: tuple[str, str], timeout: float) -> Fetched:
        import requests

        try:
            response = requests.get(url, auth=auth, timeout=timeout)
        except requests.RequestException as err:
            raise OSError(str(err) or type(err).__name__) from err
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return Fetched(response.status_code, response.content, kind)


def http_client(app: Flask) -> RecordingHttp:
    """Tests put a fake in `app.extensions["ivr.recording_http"]`."""
    return app.extensions.get("ivr.recording_http") or RequestsHttp()


def storage_dir(app: Flask) -> Path:
    """IVR_RECORDINGS_DIR, or `recordings/` under the instance folder."""
    configured = app.config.get("IVR_RECORDINGS_DIR") or ""
    return Path(configured) if configured else Path(app.instance_path) / "recordings"


def local_path(app: Flask, copy: RecordingCopy) -> Path | None:
    if copy.status != "fetched" or not copy.file_name:
        return None
    return storage_dir(app) / copy.file_name


@dataclass(frozen=True)
class Claim:
    id: int
    recording_sid: str
    source_url: str
    attempts: int
    token: str


def _claimable(now: datetime):
    return and_(RecordingCopy.status == "pending", RecordingCopy.next_attempt_at <= now,
                or_(RecordingCopy.claimed_until.is_(None), RecordingCopy.claimed_until <= now))


def claim_next(session: Session, token: str, now: datetime) -> Claim | None:
    """Claim the copy that has waited longest, counting the attempt (first statement of its
    transaction, as the outbox's claim)."""
    oldest = (select(RecordingCopy.id).where(_claimable(now))
              .order_by(RecordingCopy.next_attempt_at, RecordingCopy.id).limit(1)
              .with_for_update(skip_locked=True).scalar_subquery())
    row = session.execute(
        update(RecordingCopy).where(RecordingCopy.id == oldest, _claimable(now))
        .values(claimed_by=token, claimed_until=now + CLAIM,
                attempts=RecordingCopy.attempts + 1)
        .returning(RecordingCopy.id, RecordingCopy.recording_sid, RecordingCopy.source_url,
                   RecordingCopy.attempts)
        .execution_options(synchronize_session=False)).one_or_none()
    return None if row is None else Claim(*row, token=token)


def _release(session: Session, claim: Claim, **values) -> bool:
    result = session.execute(
        update(RecordingCopy)
        .where(RecordingCopy.id == claim.id, RecordingCopy.claimed_by == claim.token)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)


def download(app: Flask, claim: Claim) -> tuple[str, str, int]:
    """Fetch and write the file; returns (file name, content type, size). Raises ValueError
    (permanent: not audio, 4xx) or OSError (transient: network, 5xx, 429)."""
    if not SAFE_NAME.match(claim.recording_sid):
        raise ValueError(f"not a recording SID: {claim.recording_sid!r}")
    auth = (app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"])
    got = http_client(app).get(claim.source_url + FETCH_SUFFIX, auth=auth,
                               timeout=float(app.config["TWILIO_HTTP_TIMEOUT_SECONDS"]))
    if got.status == 429 or got.status >= 500:
        raise OSError(f"HTTP {got.status}")
    if got.status != 200:
        raise ValueError(f"HTTP {got.status}")
    if got.content_type not in AUDIO_TYPES or not got.body:
        raise ValueError(f"not audio: {got.content_type or 'no type'}")
    folder = storage_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    name = claim.recording_sid + AUDIO_TYPES[got.content_type]
    partial = folder / f".{name}.{claim.token[-8:]}.part"
    partial.write_bytes(got.body)
    os.replace(partial, folder / name)  # a reader never sees half a file
    return name, got.content_type, len(got.body)


def fetch_one(app: Flask, session_factory, now_fn, *, worker: str = "clock") -> str | None:
    """Claim, download and record one copy: 'fetched', 'retry', 'failed', or None when
    nothing is due. `session_factory()` gives a new Session; `now_fn()` the time."""
    token = f"{worker[:40]}:{uuid.uuid4().hex[:16]}"
    with session_factory() as session:
        claim = claim_next(session, token, now_fn())
        session.commit()
    if claim is None:
        return None
    try:
        name, kind, size = download(app, claim)
    except (OSError, ValueError) as err:
        final = isinstance(err, ValueError) or claim.attempts >= MAX_ATTEMPTS
        log.warning("recording %s: fetch attempt %s failed: %s", claim.recording_sid,
                    claim.attempts, err, extra={"fields": {"recording_sid": claim.recording_sid,
                                                           "final": final}})
        values = {"last_error": str(err)[:500]}
        values.update({"status": "failed"} if final
                      else {"next_attempt_at": now_fn() + backoff(claim.attempts)})
        with session_factory() as session:
            _release(session, claim, **values)
            session.commit()
        return "failed" if final else "retry"
    with session_factory() as session:
        _release(session, claim, status="fetched", file_name=name, content_type=kind,
                 size_bytes=size, fetched_at=now_fn(), last_error="")
        session.commit()
    return "fetched"


def fetch_due(app: Flask, session_factory, now_fn, *, limit: int = 20) -> dict:
    """Fetch up to `limit` due copies; the counts by outcome."""
    counts: dict[str, int] = {}
    for _ in range(limit):
        outcome = fetch_one(app, session_factory, now_fn)
        if outcome is None:
            break
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def fetch_recordings(session: Session, app: Flask, now: datetime) -> dict:
    """The clock job: fetch the copies that are due (each in its own short transactions,
    so `session` stays unused); bounded, and `more` when a backlog is left."""
    from hotline.clock import app_clock
    from hotline.extensions import db

    clock = app_clock(app)
    counts = fetch_due(app, lambda: Session(db.engine), clock.now)
    return {**counts, "more": sum(counts.values()) >= 20}
