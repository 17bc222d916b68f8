"""Account services: creating users, checking passwords (with growing delays), API tokens
that expire and rotate."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.auth import throttle
from hotline.auth.models import ApiToken, User
from hotline.auth.roles import ROLES
from hotline.directory.models import Department
from hotline.errors import NotFound, ValidationFailed

PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 8
# Compared against when the username is unknown, so both paths cost one scrypt.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def create_user(session: Session, *, username: str, role: str, password: str, now: datetime,
                department_code: str | None = None, display_name: str = "",
                locale: str = "zh_CN", phone: str = "") -> User:
    fields: dict[str, str] = {}
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace(
            ".", "").replace("-", "").isalnum():
        fields["username"] = "use 1-64 letters, digits, '.', '-' or '_'"
    elif session.scalar(select(User.id).where(User.username == username)):
        fields["username"] = f"user {username!r} already exists"
    if role not in ROLES:
        fields["role"] = f"role must be one of: {', '.join(ROLES)}"
    if len(password or "") < MIN_PASSWORD_LENGTH:
        fields["password"] = f"password must have at least {MIN_PASSWORD_LENGTH} characters"
    department = None
    if department_code:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            fields["department"] = f"no department with code {department_code!r}"
    elif role == "staff":
        fields["department"] = "department staff need a department"
    if locale not in ("zh_CN", "en"):
        fields["locale"] = "locale must be zh_CN or en"
    if fields:
        raise ValidationFailed("user not created", fields=fields)
    user = User(username=username, role=role, password_hash=hash_password(password),
                department=department, display_name=display_name or username,
                locale=locale, phone=phone, created_at=now, failed_logins=0, active=True,
                absent=False)
    session.add(user)
    session.flush()
    return user


class LoginRefused(Exception):
    """`reason`: invalid | inactive | throttled (then `retry_at`: when to try again)."""

    def __init__(self, reason: str, retry_at: datetime | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_at = retry_at


def authenticate(session: Session, username: str, password: str, *, now: datetime,
                 ip: str = "", rules: throttle.Policies | None = None) -> User:
    """Check a login. Repeated failures delay further attempts (hotline.auth.throttle): a
    delay refuses even the right password until it ends, then the right password works.

    The caller commits either way: a failure's counters must be stored too.
    """
    rules = rules or throttle.Policies(*(throttle.Policy(5, timedelta(seconds=30),
                                                         timedelta(minutes=15)),) * 3)
    retry_at = throttle.wait_until(session, username, ip, now=now, rules=rules)
    if retry_at is not None:
        raise LoginRefused("throttled", retry_at)
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
    if user is None or not check_password_hash(user.password_hash, password or ""):
        if user is not None:
            user.failed_logins = (user.failed_logins or 0) + 1
        retry_at = throttle.record_failure(session, username, ip, now=now, rules=rules)
        raise LoginRefused("throttled" if retry_at else "invalid", retry_at)
    if not user.active:
        raise LoginRefused("inactive")
    user.failed_logins = 0
    user.locked_until = None
    throttle.record_success(session, username, ip, rules=rules)
    return user


def set_locale(user: User, locale: str) -> None:
    """The user's console language (the caller checks it is one the console has)."""
    user.locale = locale


def set_password(user: User, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("password not changed", fields={
            "password": f"password must have at least {MIN_PASSWORD_LENGTH} characters"})
    user.password_hash = hash_password(password)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_PREFIX = re.compile(r"[0-9a-f]{8}")
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


def _token_days(days: int) -> timedelta:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed("token not created", fields={
            "days": f"between 1 and {MAX_TOKEN_DAYS} days"})
    return timedelta(days=days)


def _new_token(session: Session, user: User, *, now: datetime, name: str,
               days: int) -> str:
    lifetime = _token_days(days)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = f"hl_{prefix}_{secret}"
    session.add(ApiToken(user=user, name=name, prefix=prefix, token_hash=_digest(token),
                         created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def create_token(session: Session, username: str, *, now: datetime, name: str = "",
                 days: int = DEFAULT_TOKEN_DAYS) -> str:
    """Create an API token valid for `days` and return its text; only its hash is stored."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return _new_token(session, user, now=now, name=name, days=days)


def _token_row(session: Session, prefix_or_token: str) -> ApiToken:
    text = prefix_or_token.strip()
    prefix = text.split("_")[1] if text.startswith("hl_") and text.count("_") >= 2 else text
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        raise NotFound(f"no token with prefix {prefix!r}")
    return token


def revoke_token(session: Session, prefix_or_token: str, *, now: datetime) -> ApiToken:
    token = _token_row(session, prefix_or_token)
    if token.revoked_at is None:
        token.revoked_at = now
    return token


def rotate_token(session: Session, prefix_or_token: str, *, now: datetime,
                 days: int = DEFAULT_TOKEN_DAYS,
                 overlap: timedelta = timedelta(hours=24)) -> tuple[ApiToken, str]:
    """Issue a successor (same user and name) and let the old token work only for
    `overlap` more (0: revoked at once), so that clients can switch without downtime.
    Returns the old row and the new token's text."""
    old = _token_row(session, prefix_or_token)
    if old.revoked_at is not None or old.expires_at <= now:
        raise ValidationFailed("token not rotated", fields={
            "token": "revoked or expired: create a new one with `hotline tokens create`"})
    if overlap < timedelta(0):
        raise ValidationFailed("token not rotated", fields={"overlap": "not negative"})
    token = _new_token(session, old.user, now=now, name=old.name, days=days)
    if overlap:
        old.expires_at = min(old.expires_at, now + overlap)
    else:
        old.revoked_at = now
    return old, token


def list_tokens(session: Session, username: str | None = None) -> list[ApiToken]:
    stmt = select(ApiToken).join(User).order_by(User.username, ApiToken.created_at)
    if username:
        stmt = stmt.where(User.username == username)
    return list(session.scalars(stmt))


# A token's last use is stamped at most this often: an API read writes nothing else.
TOKEN_STAMP_EVERY = timedelta(minutes=1)


def token_for(session: Session, token: str, *, now: datetime) -> ApiToken | None:
    """The live (unexpired, unrevoked) token row of an active user that `token` proves, or
    None. Reads only."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "hl" or not _PREFIX.fullmatch(parts[1]):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[1]))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not hmac.compare_digest(row.token_hash, _digest(token)):
        return None
    if not row.user.active:
        return None
    return row


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    row = token_for(session, token, now=now)
    return row.user if row is not None else None


def stamp_token_use(engine: Engine | Connection, token_id: int, last_used_at: datetime | None,
                    now: datetime) -> bool:
    """Record that the token was used, at most once a minute, in its own short transaction
    on its own connection: the request's transaction stays read-only (a GET never commits,
    so a stamp made there was rolled back and tried again on every request, each one taking
    the write lock). Two requests racing both match at most once: the UPDATE re-checks the
    age. Returns whether it wrote."""
    if last_used_at is not None and now - last_used_at < TOKEN_STAMP_EVERY:
        return False
    # A session of its own on the engine: its own connection and transaction (in the test
    # suite's rollback mode the bind is the suite's connection: a savepoint on it).
    with Session(engine, join_transaction_mode="create_savepoint") as own, own.begin():
        done = own.execute(update(ApiToken).where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - TOKEN_STAMP_EVERY)).values(last_used_at=now)
            .execution_options(synchronize_session=False))
    return bool(done.rowcount)
