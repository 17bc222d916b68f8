"""Account services: creating users, checking passwords with lockout, API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

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
    def __init__(self, reason: str, locked_until: datetime | None = None):
        super().__init__(reason)
        self.reason = reason
        self.locked_until = locked_until


def authenticate(session: Session, username: str, password: str, *, now: datetime,
                 max_failures: int = 5, lockout: timedelta = timedelta(minutes=15)) -> User:
    """Check a login. Repeated failures lock the account for `lockout`.

    The caller commits either way: a failure's counter must be stored too.
    """
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginRefused("invalid")
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused("locked", user.locked_until)
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            raise LoginRefused("locked", user.locked_until)
        raise LoginRefused("invalid")
    if not user.active:
        raise LoginRefused("inactive")
    user.failed_logins = 0
    user.locked_until = None
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


def create_token(session: Session, username: str, *, now: datetime, name: str = "") -> str:
    """Create an API token and return its text; only its hash is stored."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = f"hl_{prefix}_{secret}"
    session.add(ApiToken(user=user, name=name, prefix=prefix, token_hash=_digest(token),
                         created_at=now))
    session.flush()
    return token


def revoke_token(session: Session, prefix_or_token: str, *, now: datetime) -> ApiToken:
    text = prefix_or_token.strip()
    prefix = text.split("_")[1] if text.startswith("hl_") and text.count("_") >= 2 else text
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        raise NotFound(f"no token with prefix {prefix!r}")
    if token.revoked_at is None:
        token.revoked_at = now
    return token


# A token's last use is stamped at most this often: an API read writes nothing else.
TOKEN_STAMP_EVERY = timedelta(minutes=1)


def token_for(session: Session, token: str) -> ApiToken | None:
    """The live token row of an active user that `token` proves, or None. Reads only."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "hl":
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.token_hash, _digest(token)):
        return None
    if not row.user.active:
        return None
    return row


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    row = token_for(session, token)
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
