"""Who a user is, for the permission checks every app makes: the one place it is decided.

Each app's own rules (who files a report, who verifies a problem) build on these; a service
calls `require()` with its rule and the reason in the user's language, and raises
PermissionDenied when the rule says no. Pages and the API only ask, to show or hide a button.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from diaodu.org.models import AnyUser, Unit, User


def is_active(user: "AnyUser | None") -> TypeGuard["User"]:
    """Signed in with an account still in use (an anonymous or a disabled user is neither)."""
    return user is not None and user.is_authenticated and user.is_active


def is_headquarters(user: "AnyUser | None") -> bool:
    """The office that runs the programme (or a superuser), with an account in use."""
    return is_active(user) and user.is_headquarters


def acts_for(user: "AnyUser | None", unit: "Unit | None") -> bool:
    """The user works in this unit or in a unit above it."""
    return is_active(user) and unit is not None and unit.pk in user.scope_unit_ids


def can_read_audit(user: "AnyUser | None") -> bool:
    """Headquarters and administrators read the audit log."""
    return is_active(user) and (user.is_headquarters or user.is_staff)


def require(allowed: bool, message: "StrOrPromise") -> None:
    """Raise PermissionDenied with `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
