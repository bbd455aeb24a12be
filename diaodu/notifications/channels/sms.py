"""SMS through a provider: one small interface, one real implementation (Alibaba Cloud SMS).

Target: {"phone": "13800000000"}. A text message is sent only through a template the provider
has approved beforehand (with the deployment's signature, 签名), filled with two variables:
`title` (the notice's title, cut to fit) and `link` (the path of the notice's page, e.g.
"/problems/12/", to follow the site's address written in the template; "/" when the path is
too long). Register a notification template such as
"您有一条调度提醒：${title}，请登录 https://xm.example.gov.cn${link} 查看。"
(docs/notifications.md). The variables together are at most DIAODU_SMS_MAX_CHARS characters,
each at most the provider's limit for one variable.
"""

import base64
import hashlib
import hmac
import json
import logging
import re
import urllib.parse
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from diaodu.notifications.channels import ChannelError, Message
from diaodu.notifications.channels.http import request, status_error

logger = logging.getLogger(__name__)

PHONE = re.compile(r"^(?:\+?86)?(1\d{10})$")


def cut(text: str, limit: int) -> str:
    """`text` on one line in at most `limit` characters, with … when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…" if limit > 0 else ""


class SmsProvider:
    """A provider sends one templated message to one phone and returns its message id."""

    # The most characters the provider takes in one template variable.
    variable_max_chars = 35

    def template_params(self, message: Message, max_chars: int) -> dict:
        """The template's variables for `message`, cut to the provider's and our limits."""
        parts = urllib.parse.urlsplit(message.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        link = path if len(path) <= min(self.variable_max_chars, max_chars // 2) else "/"
        title = cut(message.title, min(self.variable_max_chars, max_chars - len(link)))
        return {"title": title, "link": link}

    def send(self, phone: str, params: dict) -> str:
        raise NotImplementedError


class AliyunSms(SmsProvider):
    """Alibaba Cloud SMS (dysmsapi), SendSms, called RPC style with signature version 1.0.

    Every parameter, sorted by name, percent-encoded as RFC 3986 says (a space is %20, `*` is
    %2A, `~` stays), joined with & into the canonicalized query; the string to sign is
    "GET&%2F&" and that query percent-encoded again; the signature is its HMAC-SHA1 keyed with
    the AccessKey secret followed by "&", in base64, sent as the `Signature` parameter.
    """

    # Codes worth trying again later: flow control and throttling, or the service's own trouble.
    RETRYABLE = {
        "isv.BUSINESS_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "SignatureNonceUsed",
        "ServiceUnavailable",
        "InternalError",
    }

    def __init__(self, *, access_key_id, access_key_secret, sign_name, template_code, endpoint):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.endpoint = endpoint

    @classmethod
    def from_settings(cls):
        return cls(
            access_key_id=settings.DIAODU_SMS_ACCESS_KEY_ID,
            access_key_secret=settings.DIAODU_SMS_ACCESS_KEY_SECRET,
            sign_name=settings.DIAODU_SMS_SIGN_NAME,
            template_code=settings.DIAODU_SMS_TEMPLATE_CODE,
            endpoint=settings.DIAODU_SMS_ENDPOINT,
        )

    @staticmethod
    def percent_encode(value: str) -> str:
        return urllib.parse.quote(str(value), safe="-_.~")

    @classmethod
    def canonicalize(cls, params: dict) -> str:
        encode = cls.percent_encode
        return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))

    @classmethod
    def signature(cls, secret: str, params: dict, method: str = "GET") -> str:
        string_to_sign = f"{method}&{cls.percent_encode('/')}&" + cls.percent_encode(
            cls.canonicalize(params)
        )
        digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def url(self, phone: str, template_params: dict, *, now=None, nonce=None) -> str:
        now = now or datetime.now(UTC)
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps(template_params, ensure_ascii=False),
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        signature = self.signature(self.access_key_secret, params)
        query = f"Signature={self.percent_encode(signature)}&{self.canonicalize(params)}"
        return f"{self.endpoint.rstrip('?')}?{query}"

    def send(self, phone: str, params: dict) -> str:
        answer = request(self.url(phone, params))
        try:
            result = json.loads(answer.body)
            code = str(result["Code"])
        except (ValueError, TypeError, KeyError):
            # Not the service's JSON: a proxy's or a load balancer's page.
            raise status_error(_("The SMS service"), answer) from None
        if code == "OK":
            logger.info("aliyun sms took the message for ***%s", phone[-4:])
            return str(result.get("BizId", ""))
        raise ChannelError(
            _("The SMS service refused the message: %(code)s, %(text)s")
            % {"code": code, "text": str(result.get("Message", ""))[:200]},
            retryable=code in self.RETRYABLE or answer.status >= 500,
        )


PROVIDERS = {"aliyun": AliyunSms}


def provider() -> SmsProvider:
    name = settings.DIAODU_SMS_PROVIDER
    if name not in PROVIDERS:
        raise ChannelError(_("No SMS provider is set up (DIAODU_SMS_PROVIDER)."), retryable=False)
    return PROVIDERS[name].from_settings()


def send(message: Message, target: dict) -> str:
    match = PHONE.match(re.sub(r"[\s-]", "", target.get("phone") or ""))
    if not match:
        raise ChannelError(_("The phone number is not a mobile phone number."), retryable=False)
    sms = provider()
    return sms.send(match.group(1), sms.template_params(message, settings.DIAODU_SMS_MAX_CHARS))
