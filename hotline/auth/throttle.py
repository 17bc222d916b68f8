"""Login throttling: growing delays instead of a lockout.

Three counters of consecutive failed logins, each a row of `login_throttles`:
- the account from one address (`acct-ip:`): a few free tries, then a delay that doubles
  with each failure up to a cap. Someone guessing admin's password from one machine slows
  down there and nowhere else;
- the address across accounts (`ip:`): password spraying from one machine;
- the account from every address (`acct:`): a distributed guess, with a large allowance,
  so that one attacker cannot keep a real user out by failing on purpose.

While a delay runs every attempt is refused without looking at the password and without
counting as a failure (so refusals do not stretch the delay); once it ends the right password
works again. A success clears the account's counters, not the address's (one's own account
must not reset a sprayer's count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hotline.auth.models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    free: int  # failures without any delay
    first_delay: timedelta  # after failure number `free`; doubles with each further one
    cap: timedelta
    # The count restarts an hour after the last failure, or (per address, where colleagues
    # behind one office router add up) an hour after the first one.
    forget_after: timedelta = timedelta(hours=1)
    from_first: bool = False

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(self.cap, self.first_delay * 2 ** min(failures - self.free, 30))


@dataclass(frozen=True)
class Policies:
    account_ip: Policy
    ip: Policy
    account: Policy


def policies(app: Flask) -> Policies:
    cfg = app.config
    first = timedelta(seconds=float(cfg["LOGIN_FIRST_DELAY_SECONDS"]))
    cap = timedelta(minutes=float(cfg["LOGIN_LOCKOUT_MINUTES"]))
    return Policies(account_ip=Policy(int(cfg["LOGIN_MAX_FAILURES"]), first, cap),
                    ip=Policy(int(cfg["LOGIN_IP_MAX_FAILURES"]), first, cap, from_first=True),
                    account=Policy(int(cfg["LOGIN_ACCOUNT_MAX_FAILURES"]), first, cap))


def init_app(app: Flask) -> None:
    # LOGIN_MAX_FAILURES and LOGIN_LOCKOUT_MINUTES (hotline.config) are the per-account free
    # tries and the longest delay.
    app.config.setdefault("LOGIN_MAX_FAILURES", 5)
    app.config.setdefault("LOGIN_LOCKOUT_MINUTES", 15)
    app.config.setdefault("LOGIN_FIRST_DELAY_SECONDS", 30)
    app.config.setdefault("LOGIN_IP_MAX_FAILURES", 20)
    app.config.setdefault("LOGIN_ACCOUNT_MAX_FAILURES", 50)


def _keys(username: str, ip: str, rules: Policies) -> list[tuple[str, Policy]]:
    name = (username or "").strip().lower()[:64]
    return [(f"acct-ip:{name}|{ip}"[:200], rules.account_ip), (f"ip:{ip}"[:200], rules.ip),
            (f"acct:{name}"[:200], rules.account)]


def _rows(session: Session, keys: list[str]) -> dict[str, LoginThrottle]:
    return {r.key: r for r in session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(keys)))}


def wait_until(session: Session, username: str, ip: str, *, now: datetime,
               rules: Policies) -> datetime | None:
    """When the next attempt may be made; None when it may be made now."""
    rows = _rows(session, [k for k, _ in _keys(username, ip, rules)])
    blocked = [r.blocked_until for r in rows.values()
               if r.blocked_until is not None and r.blocked_until > now]
    return max(blocked) if blocked else None


def record_failure(session: Session, username: str, ip: str, *, now: datetime,
                   rules: Policies) -> datetime | None:
    """Count a failed login; returns when the next attempt may be made (None: at once)."""
    keys = _keys(username, ip, rules)
    rows = _rows(session, [k for k, _ in keys])
    until: datetime | None = None
    for key, policy in keys:
        row = rows.get(key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, first_failure_at=now, last_failure_at=now)
            session.add(row)
        elif now - (row.first_failure_at if policy.from_first else row.last_failure_at) \
                > policy.forget_after:
            row.failures, row.first_failure_at = 0, now
        row.failures += 1
        row.last_failure_at = now
        delay = policy.delay(row.failures)
        row.blocked_until = now + delay if delay else None
        if row.blocked_until is not None and (until is None or row.blocked_until > until):
            until = row.blocked_until
    session.flush()
    return until


def record_success(session: Session, username: str, ip: str, *, rules: Policies) -> None:
    keys = _keys(username, ip, rules)
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.key.in_([keys[0][0], keys[2][0]])))


def forget_account(session: Session, username: str) -> None:
    """An administrator set a new password: the account's delays end everywhere."""
    name = (username or "").strip().lower()[:64]
    session.execute(delete(LoginThrottle).where(
        (LoginThrottle.key == f"acct:{name}") |
        LoginThrottle.key.startswith(f"acct-ip:{name}|", autoescape=True)))
