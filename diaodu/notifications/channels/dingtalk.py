"""DingTalk custom robot (自定义机器人): a markdown message to a group, signed (加签).

Target: {"webhook": "https://oapi.dingtalk.com/robot/send?access_token=...", "secret": "SEC..."}.
With a secret, the address gets `&timestamp=<ms>&sign=<signature>` as DingTalk documents it:
the string to sign is the timestamp, a newline and the secret; the signature is its HMAC-SHA256
keyed with the secret, in base64, URL-encoded. DingTalk refuses a timestamp more than an hour
from its own clock. The people mentioned are @-ed by phone number, in the text and in
`at.atMobiles` (DingTalk only notifies those whose number is written in the text).

DingTalk answers HTTP 200 with {"errcode": 0, "errmsg": "ok"}, or another errcode: 130101 (more
than 20 messages a minute) and -1 (busy) are worth retrying; 310000 (signature, keyword or IP
address refused) and 300001/300005 (no such robot) are not, nor anything else.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diaodu.notifications.channels import ChannelError, Message
from diaodu.notifications.channels.http import mask, request, robot_answer

logger = logging.getLogger(__name__)

RETRYABLE = {-1, 130101}  # busy; more than 20 messages a minute
NO_ROBOT = gettext_lazy("the robot's address is wrong or the robot was removed")
HINTS = {
    310000: gettext_lazy(
        "check the robot's security settings: the secret (加签), the keywords, the IP addresses, "
        "and this server's clock"
    ),
    300001: NO_ROBOT,
    300005: NO_ROBOT,
    130101: gettext_lazy("more than 20 messages a minute to this robot"),
}


def sign(secret: str, timestamp: int) -> str:
    """The signature of `timestamp` (ms), base64 and URL-encoded, as DingTalk documents it."""
    string_to_sign = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(webhook: str, secret: str, timestamp: int | None = None) -> str:
    if not secret:
        return webhook
    timestamp = round(time.time() * 1000) if timestamp is None else timestamp
    separator = "&" if "?" in webhook else "?"
    return f"{webhook}{separator}timestamp={timestamp}&sign={sign(secret, timestamp)}"


def payload(message: Message) -> dict:
    lines = [f"#### {message.title}"]
    lines += [line for line in message.body.splitlines() if line.strip()]
    if message.url:
        lines.append(f"[{_('Open in Diaodu')}]({message.url})")
    if message.mentions:
        lines.append(" ".join(f"@{phone}" for phone in message.mentions))
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title, "text": "\n\n".join(lines)},
        "at": {"atMobiles": list(message.mentions), "isAtAll": False},
    }


def send(message: Message, target: dict) -> str:
    webhook, secret = target.get("webhook") or "", target.get("secret") or ""
    if not webhook:
        raise ChannelError(_("The DingTalk robot has no address."), retryable=False)
    answer = request(
        signed_url(webhook, secret),
        data=json.dumps(payload(message), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    robot_answer(_("DingTalk"), answer, retryable=RETRYABLE, hints=HINTS)
    logger.info("dingtalk robot %s took the message", mask(webhook))
    return ""
