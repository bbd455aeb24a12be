"""The security audit log (等保 2.0 安全审计): sign-ins, failures, lockouts, sign-outs, password
changes, changes of a user's permissions and every file downloaded, each an `AuditEvent` with
who, when, from which address and the request's id.

The receivers are connected in apps.py. Downloads are announced by the framework's middleware
(`diaodu.core.signals.file_downloaded`); password changes by the password validator that also
keeps the history (`diaodu.org.passwords.NotReusedValidator`), which Django calls on every
change, from the page, the administration or a command.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diaodu.core import logs
from diaodu.core.logs import clean
from diaodu.org.choices import AuditKind
from diaodu.org.models import AuditEvent, Unit, User
from diaodu.org.signin import client_address

# The fields of a user that decide what the user may see and do.
PERMISSION_FIELDS = ("role", "unit_id", "is_active", "is_staff", "is_superuser")


def _request():
    context = logs.current.get()
    return context.request if context is not None else None


def record(kind: str, *, user=None, username: str = "", detail: str = "", request=None) -> None:
    """Write one event; the address and request id come from the request being served."""
    request = request if request is not None else _request()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=clean(username or (user.get_username() if user is not None else ""), 150),
        address=clean(client_address(request), 200) if request is not None else "",
        detail=clean(detail, 500),
        request_id=logs.current_request_id() or "",
    )


def _actor() -> str:
    """Who is acting in the request being served ('' outside one, e.g. a command)."""
    request = _request()
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else ""


def _by_actor(detail: str, user) -> str:
    """The detail, with who did it when that is someone other than the user."""
    actor = _actor()
    if not actor or actor == user.get_username():
        return detail
    by = _("by %(actor)s") % {"actor": actor}
    return f"{detail}（{by}）" if detail else by


def _shown(field: str, value) -> str:
    """A permission field's value as a person reads it."""
    if field == "role":
        return str(dict(User._meta.get_field("role").choices).get(value, value or "-"))
    if field == "unit_id":
        return str(Unit.objects.filter(pk=value).first() or "-") if value else "-"
    return _("yes") if value else _("no")


def _label(field: str) -> str:
    return str(User._meta.get_field(field.removesuffix("_id")).verbose_name)


# -- receivers --------------------------------------------------------------------------------


def signed_in(sender, request, user, **kwargs):
    # Through the directory or the identity platform (diaodu.org.sso): which one.
    with translation.override(settings.LANGUAGE_CODE):
        detail = str(getattr(request, "diaodu_signed_in_via", ""))
    record(AuditKind.SIGNED_IN, user=user, detail=detail, request=request)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # A refusal by the directory or the identity platform (diaodu.org.sso) says why.
    refusal = getattr(request, "diaodu_sign_in_refusal", None)
    with translation.override(settings.LANGUAGE_CODE):
        detail = refusal.detail() if refusal is not None else ""
    username = credentials.get("username") or ""
    record(AuditKind.SIGN_IN_FAILED, username=username, detail=detail, request=request)


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.SIGNED_OUT, user=user, request=request)


def locked_out(sender, request, username, ip_address, **kwargs):
    with translation.override(settings.LANGUAGE_CODE):
        detail = _("locked for %(minutes)d minutes") % {"minutes": settings.DIAODU_LOCKOUT_MINUTES}
    record(AuditKind.LOCKED_OUT, username=username or "", detail=detail, request=request)


def file_downloaded(sender, request, name, path, **kwargs):
    record(AuditKind.EXPORTED, user=request.user, detail=f"{name}（{path}）", request=request)


def password_changed(user) -> None:
    with translation.override(settings.LANGUAGE_CODE):  # the log reads in Chinese
        record(AuditKind.PASSWORD_CHANGED, user=user, detail=_by_actor("", user))


def _touches_permissions(update_fields) -> bool:
    """A save of only some fields (a sign-in saves `last_login`) that leaves out every field of
    PERMISSION_FIELDS cannot change what the user may do: nothing to read or record."""
    if update_fields is None:
        return True
    return bool({field.removesuffix("_id") for field in PERMISSION_FIELDS} & set(update_fields))


def remember_permissions(sender, instance, update_fields=None, **kwargs):
    """pre_save of a user: keep what the user could do before, to compare after the save."""
    if not _touches_permissions(update_fields):
        return
    if instance.pk is None:
        instance._permissions_before = None
        return
    instance._permissions_before = (
        User.objects.filter(pk=instance.pk).values(*PERMISSION_FIELDS).first()
    )


def permissions_saved(sender, instance, created, update_fields=None, **kwargs):
    """post_save of a user: record a new user, or a change of role, unit or status."""
    if not _touches_permissions(update_fields):
        return
    before = getattr(instance, "_permissions_before", None)
    with translation.override(settings.LANGUAGE_CODE):  # the log reads in Chinese
        if created or before is None:
            parts = [
                f"{_label(field)}：{_shown(field, getattr(instance, field))}"
                for field in PERMISSION_FIELDS
                if getattr(instance, field)
            ]
            detail = _("created: %(fields)s") % {"fields": "，".join(parts)}
        else:
            parts = [
                f"{_label(field)}：{_shown(field, before[field])} → "
                f"{_shown(field, getattr(instance, field))}"
                for field in PERMISSION_FIELDS
                if before[field] != getattr(instance, field)
            ]
            if not parts:
                return
            detail = "；".join(parts)
        record(AuditKind.PERMISSIONS_CHANGED, user=instance, detail=_by_actor(detail, instance))


def groups_changed(sender, instance, action, pk_set, **kwargs):
    """m2m_changed of a user's groups or own permissions."""
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, User):
        return
    with translation.override(settings.LANGUAGE_CODE):
        what = _("groups") if sender is User.groups.through else _("permissions")
        done = {"post_add": _("added"), "post_remove": _("removed"), "post_clear": _("cleared")}
        detail = f"{what} {done[action]}：{sorted(pk_set or [])}"
        record(AuditKind.PERMISSIONS_CHANGED, user=instance, detail=_by_actor(detail, instance))


def prune(now=None) -> int:
    """Delete the events older than DIAODU_AUDIT_MONTHS (30 days a month); returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=30 * settings.DIAODU_AUDIT_MONTHS)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
