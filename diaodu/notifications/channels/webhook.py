"""The outgoing webhook: each notice POSTed as JSON to another system, signed.

Target: {"url": "https://...", "secret": "..."}. The body is the JSON object
{"id", "event", "title", "body", "url", "sent_at"} in UTF-8; the headers are `X-Diaodu-Event`
(the event's code), `X-Diaodu-Delivery` (the delivery's id, the same on every retry, so that a
receiver can drop a repeat) and, with a secret, `X-Diaodu-Signature: sha256=<hex>`, the
HMAC-SHA256 of the raw body keyed with the secret, which the receiver recomputes and compares
(docs/notifications.md). Any 2xx is taken; 5xx, 408 and 429 are retried; a redirect or another
4xx is a wrong address or a refusal, not retried.
"""

import hashlib
import hmac
import json
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.notifications.channels import ChannelError, Message
from diaodu.notifications.channels.http import mask, request, status_error

logger = logging.getLogger(__name__)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(message: Message, target: dict) -> str:
    url, secret = target.get("url") or "", target.get("secret") or ""
    if not url:
        raise ChannelError(_("The webhook has no address."), retryable=False)
    body = json.dumps(
        {
            "id": message.id,
            "event": message.event,
            "title": message.title,
            "body": message.body,
            "url": message.url,
            "sent_at": timezone.now().isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
    ).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Diaodu-Event": message.event,
        "X-Diaodu-Delivery": message.id,
    }
    if secret:
        headers["X-Diaodu-Signature"] = signature(secret, body)
    answer = request(url, data=body, headers=headers)
    if not 200 <= answer.status < 300:
        raise status_error(_("The webhook"), answer)
    logger.info("webhook %s took the message (HTTP %s)", mask(url), answer.status)
    return ""
