"""Channels beyond the bell: each a module with `send(message, target) -> str`.

`CHANNELS` maps a channel's code to its `send`. A channel raises `ChannelError` when the peer
refuses or cannot be reached; `retryable` says whether trying again later may help (a timeout,
a 5xx, a rate limit) or not (a wrong address, a bad signature).
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom robot")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


@dataclass
class Message:
    """What a channel sends: built from a notification, in the recipient's language."""

    title: str  # one line
    body: str = ""  # plain text, may have several lines
    url: str = ""  # an absolute link (DIAODU_SITE_URL + the path), or ""
    mentions: list[str] = field(default_factory=list)  # phone numbers to @ (robots)
    event: str = ""  # the event's code, e.g. "report.returned" (webhooks pass it on)
    id: str = ""  # the delivery's id: the same on every retry, so a receiver can drop repeats


class ChannelError(Exception):
    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


CHANNELS = {
    Channel.EMAIL: "diaodu.notifications.channels.email.send",
    Channel.DINGTALK: "diaodu.notifications.channels.dingtalk.send",
    Channel.WECOM: "diaodu.notifications.channels.wecom.send",
    Channel.SMS: "diaodu.notifications.channels.sms.send",
    Channel.WEBHOOK: "diaodu.notifications.channels.webhook.send",
}
