"""WeCom group robot (企业微信群机器人): a message to a group through its webhook address.

Target: {"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."}.

Which kind of message: WeCom's markdown can @ a member only by their WeCom user id
(`<@userid>`), which Diaodu does not know, while a text message can @ members by phone number
(`mentioned_mobile_list`). So a message that mentions people goes as text (title, body and link
on their own lines, the people @-ed); one that mentions nobody goes as markdown (the title in
bold, the link clickable). WeCom takes at most 2048 bytes of text and 4096 of markdown (UTF-8):
longer bodies are cut, the link kept.

WeCom answers HTTP 200 with {"errcode": 0, "errmsg": "ok"}, or another errcode: 45009 (more than
20 messages a minute) and -1 (busy) are worth retrying; 93000 (no such robot) and anything else
are not.
"""

import json
import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diaodu.notifications.channels import ChannelError, Message
from diaodu.notifications.channels.http import mask, request, robot_answer

logger = logging.getLogger(__name__)

TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
RETRYABLE = {-1, 45009}  # busy; more than 20 messages a minute
HINTS = {
    93000: gettext_lazy("the robot's address is wrong or the robot was removed"),
    45009: gettext_lazy("more than 20 messages a minute to this robot"),
}


def cut_bytes(text: str, limit: int) -> str:
    """`text` in at most `limit` bytes of UTF-8, cut on a character, with … when cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode(errors="ignore") + "…"


def _content(head: str, body: str, link: str, limit: int) -> str:
    """Head, body and link on their lines, the body cut so that the whole fits in `limit`."""
    fixed = "\n".join(part for part in (head, link) if part)
    room = limit - len(fixed.encode()) - 2
    body = cut_bytes(body.strip(), room) if body.strip() and room > 0 else ""
    return cut_bytes("\n".join(part for part in (head, body, link) if part), limit)


def payload(message: Message) -> dict:
    if message.mentions:
        link = _("Open in Diaodu: %(url)s") % {"url": message.url} if message.url else ""
        return {
            "msgtype": "text",
            "text": {
                "content": _content(message.title, message.body, link, TEXT_MAX_BYTES),
                "mentioned_mobile_list": list(message.mentions),
            },
        }
    link = f"[{_('Open in Diaodu')}]({message.url})" if message.url else ""
    content = _content(f"**{message.title}**", message.body, link, MARKDOWN_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send(message: Message, target: dict) -> str:
    webhook = target.get("webhook") or ""
    if not webhook:
        raise ChannelError(_("The WeCom robot has no address."), retryable=False)
    answer = request(
        webhook,
        data=json.dumps(payload(message), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    robot_answer(_("WeCom"), answer, retryable=RETRYABLE, hints=HINTS)
    logger.info("wecom robot %s took the message", mask(webhook))
    return ""
