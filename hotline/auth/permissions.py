"""Who may see what. Later packages scope their queries with these helpers so that
department staff only ever see their own department's work (and the work of colleagues
they are covering for, R29)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.access import ROLES, Access, declare
from hotline.auth.current import current_actor
from hotline.auth.models import User
from hotline.errors import Forbidden


def sees_all_departments(user: User) -> bool:
    return user.role in roles.HOTLINE


def visible_department_ids(session: Session, user: User) -> set[int] | None:
    """The departments whose orders `user` may see; None means all of them.

    Staff see their own department, plus the departments of absent colleagues who named
    them as backup (R29).
    """
    if sees_all_departments(user):
        return None
    ids: set[int] = set()
    if user.department_id is not None:
        ids.add(user.department_id)
    covered = session.scalars(
        select(User.department_id).where(
            User.backup_user_id == user.id, User.absent.is_(True),
            User.department_id.is_not(None),
        )
    )
    ids.update(d for d in covered if d is not None)
    return ids


def scope_to_departments(stmt, session: Session, user: User, department_column):
    """Restrict a select() to the rows of departments `user` may see."""
    ids = visible_department_ids(session, user)
    if ids is None:
        return stmt
    if not ids:
        return stmt.where(false())
    return stmt.where(department_column.in_(ids))


def can_see_department(session: Session, user: User, department_id: int | None) -> bool:
    ids = visible_department_ids(session, user)
    return ids is None or (department_id is not None and department_id in ids)


def require_role(*roles: str):
    """Decorator for console and API views: the current user must have one of `roles`.
    It also declares the route's protection (hotline.auth.access), which is checked before
    the view and before any decorator between `route` and the view (e.g. body parsing)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            user = current_actor()
            if user is None or user.role not in roles:
                from hotline.i18n import tr

                raise Forbidden(tr("Your role may not open this page."))
            return view(*args, **kwargs)

        return declare(Access(ROLES, tuple(roles)))(wrapped)

    return decorator
