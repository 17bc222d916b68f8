"""`hotline clock`: the one process that runs the jobs (APScheduler 3.11 BlockingScheduler).
Never started inside web workers. Every process renews or tries to take the database lease
four times per lease period; only the holder runs the jobs, the others wait as standby.

Failover: a holder killed outright stops renewing; its lease expires at most one lease
period after its last renewal, and a standby tries again within a quarter period, so it
takes over within 1.25 lease periods (12.5 s with the default 10 s lease) and runs every
job at once. Exactly once: the holder runs jobs only until 0.8 of a period after its last
successful renewal, before anyone else can take the lease; a failed renewal stops it at
once."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask

from hotline.clock import app_clock
from hotline.extensions import db
from ivr import recording_fetch
from sla import jobs, lease

log = logging.getLogger("hotline.sla.clock")  # under the app's JSON log handler


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable  # importable (session, app, now) -> dict; never a lambda
    every: str  # the config key holding the interval in seconds
    misfire_grace_time: int = 30


# Every job of the clock, in one place.
JOBS: tuple[Job, ...] = (
    Job("watch_deadlines", jobs.watch_deadlines, "HOTLINE_CLOCK_TICK_SECONDS"),
    Job("watch_clusters", jobs.watch_clusters, "HOTLINE_CLOCK_TICK_SECONDS"),
    Job("service_level", jobs.roll_up_service_level, "HOTLINE_CLOCK_ROLLUP_SECONDS"),
    Job("deliver_outbox", jobs.deliver_outbox, "HOTLINE_CLOCK_TICK_SECONDS"),
    Job("activate_outages", jobs.activate_outages, "HOTLINE_CLOCK_TICK_SECONDS"),
    Job("fetch_recordings", recording_fetch.fetch_recordings, "HOTLINE_CLOCK_TICK_SECONDS"),
)


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ClockRunner:
    """Lease bookkeeping and job execution, separate from the scheduler so tests can drive
    it with a fixed clock."""

    def __init__(self, app: Flask, holder: str | None = None):
        self.app = app
        self.holder = holder or default_holder()
        self.ttl = timedelta(seconds=float(app.config["HOTLINE_CLOCK_LEASE_SECONDS"]))
        self._valid_until: datetime | None = None
        self._lock = threading.Lock()
        # Called when this process becomes the active clock (the scheduler runs every job
        # at once rather than at its next interval).
        self.on_activate: Callable[[], None] | None = None

    @property
    def renew_every(self) -> float:
        return self.ttl.total_seconds() / 4

    def now(self) -> datetime:
        return app_clock(self.app).now()

    def renew(self) -> bool:
        """Take or renew the lease; remember until when this process may run jobs."""
        with self.app.app_context():
            now = self.now()
            try:
                held = lease.acquire(db.session, self.holder, now, self.ttl)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("clock lease: renewal failed")
                held = False
        with self._lock:
            was_active = self._valid_until is not None
            # Stop a little before the lease ends: a standby may take over at expiry.
            self._valid_until = now + self.ttl * 0.8 if held else None
        if held and not was_active:
            log.info("clock %s is active", self.holder)
            if self.on_activate is not None:
                self.on_activate()
        elif was_active and not held:
            log.warning("clock %s lost the lease, now standby", self.holder)
        return held

    def active(self) -> bool:
        with self._lock:
            return self._valid_until is not None and self.now() < self._valid_until

    def run(self, job: Job) -> dict | None:
        """Run one job inside the app context and commit once; None when standby. A job
        that answers `"more": True` did one bounded chunk of a backlog (a catch-up after
        downtime): it runs again, one transaction and one fresh session per chunk, while
        this clock holds the lease. The figures are summed over the chunks."""
        result: dict | None = None
        while self.active():
            with self.app.app_context():
                try:
                    chunk = job.func(db.session, self.app, self.now())
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    log.exception("clock job %s failed; the next tick retries", job.id)
                    return result
                finally:
                    db.session.remove()
            result = _summed(result, chunk)
            if not (chunk or {}).get("more"):
                break
        if result is None:
            return None
        # Idle ticks are the norm; log them quietly so real work stands out.
        busy = any(v for v in (result or {}).values())
        log.log(logging.INFO if busy else logging.DEBUG, "clock job %s: %s", job.id, result)
        return result

    def release(self) -> None:
        with self.app.app_context():
            lease.release(db.session, self.holder, self.now())
            db.session.commit()


def _summed(total: dict | None, chunk: dict | None) -> dict | None:
    if total is None or chunk is None:
        return chunk if total is None else total
    return {k: (total.get(k, 0) + v if isinstance(v, int) and not isinstance(v, bool) else v)
            for k, v in chunk.items()}


def run_job(runner: ClockRunner, job_id: str) -> None:
    """Scheduler entry point (importable reference, arguments are plain values)."""
    runner.run(next(j for j in JOBS if j.id == job_id))


def build_scheduler(runner: ClockRunner):
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    config = runner.app.config
    scheduler = BlockingScheduler(timezone="UTC")
    every = runner.renew_every
    scheduler.add_job(runner.renew, IntervalTrigger(seconds=every), id="lease",
                      misfire_grace_time=int(max(every, 1)), coalesce=True, max_instances=1,
                      next_run_time=runner.now())

    def run_jobs_now() -> None:
        for job in JOBS:
            scheduler.modify_job(job.id, next_run_time=runner.now())

    runner.on_activate = run_jobs_now
    for job in JOBS:
        scheduler.add_job(run_job, IntervalTrigger(seconds=float(config[job.every])),
                          args=(runner, job.id), id=job.id, coalesce=True, max_instances=1,
                          misfire_grace_time=job.misfire_grace_time)
    return scheduler


def serve(app: Flask, holder: str | None = None) -> None:
    runner = ClockRunner(app, holder)
    scheduler = build_scheduler(runner)
    log.info("clock %s starting (standby until it holds the lease)", runner.holder)

    def _stop(signum, frame):  # SIGTERM (the platform stopping the dyno): release, exit
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        try:
            runner.release()
        except Exception:
            log.exception("clock lease: release failed")
