"""Notifications inside the application (the bell)."""

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from diaodu.core.limits import GENERATED, MaxChars, validate_year
from diaodu.notifications.channels import Channel
from diaodu.org.models import AnyUser
from diaodu.org.permissions import is_headquarters


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: AnyUser) -> Self:
        """A user sees their own notifications only."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user about something that concerns them, with a link to it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(pgettext_lazy("notification", "title"), max_length=200)
    body = models.TextField(
        _("body"), blank=True, max_length=GENERATED, validators=[MaxChars(GENERATED)]
    )
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True, validators=[validate_year])
    # The channels (dotted paths) that have delivered it, so that a delivery is made once.
    delivered_by = models.JSONField(_("delivered by"), default=list, blank=True, db_default=[])
    event = models.CharField(
        _("event"), max_length=50, blank=True, db_default="", help_text=_("e.g. report.returned")
    )
    # What makes it the same notice (e.g. "problem:12:overdue:2"): a recipient gets a key once,
    # so a reminder run twice, or catching up after a stop, tells nobody twice.
    key = models.CharField(_("key"), max_length=200, blank=True, db_default="")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell: a user's unread notifications, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="one_notice_per_key",
                violation_error_message=_("This person has already been told this."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class UnitRobot(models.Model):
    """A unit's group robot (a district's DingTalk group, a department's WeCom group): every
    notice to the unit's people is also posted there, @-mentioning them by phone."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="robots"
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[("dingtalk", _("DingTalk robot")), ("wecom", _("WeCom robot"))],
    )
    webhook = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk's 加签 secret (SEC…); empty for WeCom."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit", "channel"]
        verbose_name = _("unit robot")
        verbose_name_plural = _("unit robots")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "channel"],
                name="one_robot_per_unit_channel",
                violation_error_message=_("This unit already has a robot of this kind."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_channel_display()}"


class ChannelChoice(models.Model):
    """How one person wants to be told beyond the bell: e-mail, SMS, quiet hours, a digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="channel_choice",
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("One e-mail or SMS a day with everything, instead of one per notice."),
    )

    class Meta:
        verbose_name = _("channel choice")
        verbose_name_plural = _("channel choices")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    HELD = "held", _("Held for the digest")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def visible_to(self, user: AnyUser) -> Self:
        """The outbox is headquarters' to watch."""
        if not is_headquarters(user):
            return self.none()
        return self


class Delivery(models.Model):
    """One notice to send through one channel to one target (the outbox).

    Written in the same transaction as the notice, unique per (key, channel, target), sent by
    the task queue with retries; its state and last error stay visible. The target is a
    reference ("robot:5", "default", "user:12") resolved when sending, so no secret is kept here.
    """

    key = models.CharField(_("key"), max_length=220)
    event = models.CharField(_("event"), max_length=50, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("target"), max_length=50)
    target_label = models.CharField(_("sent to"), max_length=200, blank=True)
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    message = models.JSONField(_("message"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(
        _("last error"), blank=True, max_length=GENERATED, validators=[MaxChars(GENERATED)]
    )
    not_before = models.DateTimeField(
        _("not before"), null=True, blank=True, validators=[validate_year]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, validators=[validate_year])

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "target"],
                name="one_delivery_per_key_channel_target",
                violation_error_message=_("This notice is already on its way there."),
            )
        ]
        indexes = [
            # The outbox page: by status, newest first.
            models.Index(fields=["status", "-created_at"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.message.get('title', '')} → {self.target_label or self.target}"
