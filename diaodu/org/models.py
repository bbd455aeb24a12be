"""Units (单位), the leaders in charge of projects (分包领导), and users."""

from functools import cached_property
from typing import ClassVar, Self

from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import validate_year
from diaodu.core.models import SignedInQuerySet
from diaodu.org.choices import ROLES_SEEING_EVERYTHING, AuditKind, LeaderLevel, Role, UnitKind
from diaodu.org.permissions import can_read_audit


class UnitQuerySet(SignedInQuerySet["Unit"]):
    """The unit directory: every signed-in user may read it (to name who is responsible)."""


class Unit(models.Model):
    """Any organisation: a district, a city department, an enterprise, the programme office.

    A unit may sit under a parent (a street under its district); a region's scope covers
    its descendants.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_("Other names the unit goes by in ledgers and minutes."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.short_name or self.name

    def descendant_ids(self) -> set[int]:
        """This unit and every unit below it, in one query per level of the tree."""
        found = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = (
                set(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
                - found
            )
            found |= frontier
        return found


class LeaderQuerySet(SignedInQuerySet["Leader"]):
    """Leaders in charge: every signed-in user may read them (to name who leads a project)."""


class Leader(models.Model):
    """A city or district leader personally in charge of projects (分包领导 / 包抓领导).

    Most leaders never sign in; one who does is linked to a user.
    """

    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=100, blank=True)
    level = models.CharField(
        _("level"), max_length=10, choices=LeaderLevel.choices, default=LeaderLevel.CITY
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leaders",
    )
    user = models.OneToOneField(
        "org.User",
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader_profile",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = LeaderQuerySet.as_manager()

    class Meta:
        ordering = ["level", "sort_order", "name"]
        verbose_name = _("leader in charge")
        verbose_name_plural = _("leaders in charge")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "title"],
                name="unique_leader_name_title",
                violation_error_message=_("A leader with this name and title already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class User(AbstractUser):
    """A person who signs in: belongs to a unit and acts in one role."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Sent to the password-change page until the password is changed."),
    )
    # Django's own dates, within the years a date may fall in (the administration edits them).
    last_login = models.DateTimeField(
        _("last login"), blank=True, null=True, validators=[validate_year]
    )
    date_joined = models.DateTimeField(
        _("date joined"), default=timezone.now, validators=[validate_year]
    )

    objects: ClassVar["UserManager[Self]"] = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def sees_everything(self) -> bool:
        """Headquarters, leaders and inspectors (and superusers) see every project."""
        return self.is_superuser or self.role in ROLES_SEEING_EVERYTHING

    @cached_property
    def scope_unit_ids(self) -> set[int]:
        """The user's unit and every unit below it (computed once per request)."""
        return self.unit.descendant_ids() if self.unit is not None else set()

    @property
    def is_headquarters(self) -> bool:
        return self.is_superuser or self.role == Role.HEADQUARTERS


# Whoever a request comes from (`request.user`): a signed-in user or Django's anonymous one.
AnyUser = User | AnonymousUser


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: AnyUser) -> Self:
        """Headquarters and administrators read the whole log; nobody else reads any of it."""
        return self if can_read_audit(user) else self.none()


class AuditEvent(models.Model):
    """One event of the security audit log (等保 2.0 安全审计): who did what, when, from where.

    Written by `diaodu.org.audit`, never changed, pruned after DIAODU_AUDIT_MONTHS.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=AuditKind.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # Kept as written: the name tried in a failed sign-in, or a user's name after deletion.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["kind", "-at"]), models.Index(fields=["username", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class PasswordHistory(models.Model):
    """The hashes of a user's earlier passwords, so that a new password is not an old one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    encoded = models.CharField(max_length=256)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d}"
