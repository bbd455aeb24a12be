"""E-mail: one message to one person, plain text and HTML, through Django's mail settings.

Target: {"address": "a@b.gov.cn", "name": "王建国"}. The connection is Django's (EMAIL_* from the
DIAODU_EMAIL_* settings), waiting at most DIAODU_CHANNEL_TIMEOUT seconds for the server; the
sender is DEFAULT_FROM_EMAIL. The wording is in the active language (Chinese by default).
Answers the Message-ID of the e-mail sent.

A refusal the server calls temporary (an SMTP 4xx), a server that cannot be reached or that
hangs up are worth retrying; a permanent refusal (5xx: no such mailbox, authentication failed)
or an address that cannot be written are not.
"""

import logging
import smtplib
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import translation
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from diaodu.notifications.channels import ChannelError, Message

logger = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _greeting(name: str) -> str:
    return _("Dear %(name)s,") % {"name": name} if name else _("Hello,")


def _link(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else ""


def text_body(message: Message, name: str) -> str:
    parts = [_greeting(name), message.title, message.body.strip()]
    if _link(message.url):
        parts.append(_("Open in Diaodu: %(url)s") % {"url": message.url})
    parts.append("-- \n" + _("Sent by Diaodu automatically; please do not reply."))
    return "\n\n".join(part for part in parts if part) + "\n"


def html_body(message: Message, name: str) -> str:
    link = _link(message.url)
    button = (
        format_html(
            '<p><a href="{}" style="display:inline-block;padding:8px 16px;background:#1d4ed8;'
            'color:#ffffff;text-decoration:none;border-radius:4px">{}</a></p>',
            link,
            _("Open in Diaodu"),
        )
        if link
        else ""
    )
    return format_html(
        '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        "</head>\n<body style=\"font-family:'PingFang SC','Microsoft YaHei',sans-serif;"
        'line-height:1.6;color:#1f2937">\n<p>{greeting}</p>\n'
        '<h2 style="font-size:18px;margin:16px 0 8px">{title}</h2>\n{body}\n{button}\n'
        '<p style="color:#6b7280;font-size:12px">{footer}</p>\n</body></html>\n',
        lang=translation.get_language() or settings.LANGUAGE_CODE,
        title=message.title,
        greeting=_greeting(name),
        body=mark_safe(linebreaks(message.body.strip(), autoescape=True)),  # escaped by linebreaks
        button=button,
        footer=_("Sent by Diaodu automatically; please do not reply."),
    )


def _retryable(code: int) -> bool:
    return 400 <= code < 500


def send(message: Message, target: dict) -> str:
    address = _one_line(target.get("address") or "")
    if "@" not in address:
        raise ChannelError(_("The person has no e-mail address."), retryable=False)
    name = _one_line(target.get("name") or "").replace('"', "").replace("\\", "")
    recipient = f'"{name}" <{address}>' if name else address
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "diaodu"
    message_id = make_msgid(domain=domain)
    email = EmailMultiAlternatives(
        subject=_one_line(message.title),
        body=text_body(message, name),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={
            "Message-ID": message_id,
            **({"X-Diaodu-Event": message.event} if message.event else {}),
        },
        connection=get_connection(timeout=float(settings.DIAODU_CHANNEL_TIMEOUT)),
    )
    email.attach_alternative(html_body(message, name), "text/html")
    try:
        sent = email.send()
    except smtplib.SMTPRecipientsRefused as error:
        answers = list(error.recipients.values())
        raise ChannelError(
            _("The mail server refused the address: %(answer)s")
            % {"answer": "; ".join(f"{code} {_decode(text)}" for code, text in answers)},
            retryable=all(_retryable(code) for code, _text in answers),
        ) from error
    except smtplib.SMTPConnectError as error:
        raise ChannelError(
            _("Could not reach the mail server: %(reason)s") % {"reason": error}
        ) from error
    except smtplib.SMTPResponseException as error:
        raise ChannelError(
            _("The mail server refused the message: %(code)s %(answer)s")
            % {"code": error.smtp_code, "answer": _decode(error.smtp_error)},
            retryable=_retryable(error.smtp_code),
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        raise ChannelError(
            _("The mail server does not support this: %(reason)s") % {"reason": error},
            retryable=False,
        ) from error
    except (smtplib.SMTPException, OSError) as error:  # disconnected, refused, timed out ...
        raise ChannelError(
            _("Could not reach the mail server: %(reason)s")
            % {"reason": str(error) or type(error).__name__}
        ) from error
    except ValueError as error:  # an address that cannot be written in a header
        raise ChannelError(
            _("The e-mail could not be written: %(reason)s") % {"reason": error}, retryable=False
        ) from error
    if not sent:
        raise ChannelError(_("The mail server took no message."))
    logger.info("e-mail %s sent to %s***@%s", message_id, address[:1], address.partition("@")[2])
    return message_id


def _decode(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
