"""The chat robots, SMS and webhook channels against real HTTP peers on 127.0.0.1.

The receiver (peers.py) checks each request as DingTalk, WeCom, Alibaba Cloud SMS or a
subscriber would; the failures are real too: a 500, a peer that never answers, a refused
connection, the peers' own error codes.
"""

import hashlib
import hmac
import json
import time

import pytest

from diaodu.notifications.channels import (
    CHANNELS,
    Channel,
    ChannelError,
    Message,
    dingtalk,
    sms,
    webhook,
    wecom,
)
from diaodu.notifications.channels.http import mask
from diaodu.notifications.tests import peers

MESSAGE = Message(
    title="项目“城东污水处理厂”的月报被退回",
    body="退回原因：本月投资与附件不符。\n请于3月28日前重新报送。",
    url="https://xm.example.gov.cn/reporting/reports/812/",
    mentions=["13800000000", "13900000001"],
    event="report.returned",
)


@pytest.fixture
def receiver():
    peer = peers.Receiver().start()
    yield peer
    peer.stop()


@pytest.fixture(autouse=True)
def _short_timeout_and_no_proxy(settings, monkeypatch):
    settings.DIAODU_CHANNEL_TIMEOUT = 2
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)  # the peers are on this machine


def test_every_channel_has_its_module():
    from django.utils.module_loading import import_string

    assert {import_string(path) for path in CHANNELS.values()} == {
        dingtalk.send,
        wecom.send,
        sms.send,
        webhook.send,
        import_string("diaodu.notifications.channels.email.send"),
    }
    assert set(CHANNELS) == set(Channel)


# DingTalk ---------------------------------------------------------------------------------


def dingtalk_target(receiver, secret=peers.DINGTALK_SECRET):
    return {"webhook": receiver.dingtalk, "secret": secret}


def test_dingtalk_signed_markdown_with_mentions_is_taken(receiver):
    assert dingtalk.send(MESSAGE, dingtalk_target(receiver)) == ""
    [got] = receiver.requests
    # The peer recomputed the signature from the timestamp it received and accepted it.
    assert got.method == "POST" and set(got.query) == {"access_token", "timestamp", "sign"}
    assert abs(int(got.query["timestamp"]) - time.time() * 1000) < 60_000
    assert got.headers["Content-Type"].startswith("application/json")
    data = got.json()
    assert data["msgtype"] == "markdown"
    assert data["markdown"]["title"] == MESSAGE.title
    text = data["markdown"]["text"]
    assert MESSAGE.title in text
    assert "退回原因：本月投资与附件不符。" in text and "请于3月28日前重新报送。" in text
    assert f"({MESSAGE.url})" in text
    assert "@13800000000" in text and "@13900000001" in text
    assert data["at"] == {"atMobiles": ["13800000000", "13900000001"], "isAtAll": False}


def test_dingtalk_signature_is_the_documented_one():
    # DingTalk's documentation: HMAC-SHA256 of "timestamp\nsecret" keyed with the secret,
    # base64, then URL-encoded (+, / and = escaped).
    secret, timestamp = "SECtest", 1700000000000
    raw = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    import base64
    import urllib.parse

    expected = urllib.parse.quote_plus(base64.b64encode(raw).decode())
    assert dingtalk.sign(secret, timestamp) == expected
    url = dingtalk.signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=t", secret, timestamp
    )
    assert url.endswith(f"&timestamp={timestamp}&sign={expected}")


def test_dingtalk_wrong_secret_is_refused_and_not_retried(receiver):
    with pytest.raises(ChannelError) as refused:
        dingtalk.send(MESSAGE, dingtalk_target(receiver, secret="SECwrong"))
    assert refused.value.retryable is False
    assert "310000" in str(refused.value) and "sign not match" in str(refused.value)


def test_dingtalk_clock_more_than_an_hour_off_is_refused(receiver):
    receiver.clock_offset_ms = 2 * 3600 * 1000  # DingTalk's clock two hours ahead of ours
    with pytest.raises(ChannelError) as refused:
        dingtalk.send(MESSAGE, dingtalk_target(receiver))
    assert refused.value.retryable is False
    assert "invalid timestamp" in str(refused.value)


def test_dingtalk_rate_limit_is_retryable(receiver):
    receiver.script.append(
        (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    )
    with pytest.raises(ChannelError) as limited:
        dingtalk.send(MESSAGE, dingtalk_target(receiver))
    assert limited.value.retryable is True
    assert "130101" in str(limited.value) and "send too fast" in str(limited.value)
    # The next try goes through.
    assert dingtalk.send(MESSAGE, dingtalk_target(receiver)) == ""
    assert len(receiver.requests) == 2


def test_dingtalk_keyword_refusal_310000_is_not_retryable(receiver):
    receiver.script.append(
        (200, {"errcode": 310000, "errmsg": "keywords not in content, more: [...]"})
    )
    with pytest.raises(ChannelError) as refused:
        dingtalk.send(MESSAGE, dingtalk_target(receiver))
    assert refused.value.retryable is False
    assert "keywords not in content" in str(refused.value)


def test_dingtalk_unknown_robot_is_not_retryable_and_its_token_is_not_shown(receiver):
    target = {"webhook": f"{receiver.base}/robot/send?access_token=gone", "secret": ""}
    with pytest.raises(ChannelError) as refused:
        dingtalk.send(MESSAGE, target)
    assert refused.value.retryable is False
    assert "300001" in str(refused.value)


def test_dingtalk_without_secret_sends_unsigned(receiver):
    # A robot secured by keywords or IP addresses only: no timestamp nor sign in the address.
    receiver.script.append((200, {"errcode": 0, "errmsg": "ok"}))
    dingtalk.send(MESSAGE, dingtalk_target(receiver, secret=""))
    assert set(receiver.requests[0].query) == {"access_token"}


# WeCom ------------------------------------------------------------------------------------


def test_wecom_mentions_go_as_text_with_mentioned_mobile_list(receiver):
    assert wecom.send(MESSAGE, {"webhook": receiver.wecom}) == ""
    data = receiver.requests[0].json()
    assert data["msgtype"] == "text"
    content = data["text"]["content"]
    assert content.startswith(MESSAGE.title)
    assert "退回原因" in content and MESSAGE.url in content
    assert data["text"]["mentioned_mobile_list"] == ["13800000000", "13900000001"]


def test_wecom_without_mentions_goes_as_markdown(receiver):
    message = Message(title="第12期调度通报已印发", body="请各单位查阅。", url=MESSAGE.url)
    wecom.send(message, {"webhook": receiver.wecom})
    data = receiver.requests[0].json()
    assert data == {
        "msgtype": "markdown",
        "markdown": {
            "content": f"**第12期调度通报已印发**\n请各单位查阅。\n[查看详情]({MESSAGE.url})"
        },
    }


def test_wecom_long_body_is_cut_to_its_limit_keeping_the_link(receiver):
    message = Message(title="长消息", body="很长的说明。" * 1000, url=MESSAGE.url)
    wecom.send(message, {"webhook": receiver.wecom})  # the peer refuses over 4096 bytes
    content = receiver.requests[0].json()["markdown"]["content"]
    assert len(content.encode()) <= 4096 and content.endswith(f"({MESSAGE.url})")
    assert "…" in content


def test_wecom_rate_limit_45009_is_retryable_and_others_not(receiver):
    receiver.script.append((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    with pytest.raises(ChannelError) as limited:
        wecom.send(MESSAGE, {"webhook": receiver.wecom})
    assert limited.value.retryable is True and "45009" in str(limited.value)
    with pytest.raises(ChannelError) as refused:
        wecom.send(MESSAGE, {"webhook": f"{receiver.base}/cgi-bin/webhook/send?key=wrong"})
    assert refused.value.retryable is False and "93000" in str(refused.value)


# Webhook ----------------------------------------------------------------------------------


def test_webhook_posts_signed_json(receiver):
    target = {"url": receiver.webhook, "secret": peers.WEBHOOK_SECRET}
    assert webhook.send(MESSAGE, target) == ""
    [got] = receiver.requests  # the peer checked the signature of the raw body (204)
    assert got.headers["X-Diaodu-Event"] == "report.returned"
    data = got.json()
    assert set(data) == {"id", "event", "title", "body", "url", "sent_at"}
    assert data["event"] == "report.returned" and data["title"] == MESSAGE.title
    assert data["body"] == MESSAGE.body and data["url"] == MESSAGE.url
    assert data["sent_at"].endswith("+00:00")


def test_webhook_with_the_wrong_secret_is_refused_and_not_retried(receiver):
    with pytest.raises(ChannelError) as refused:
        webhook.send(MESSAGE, {"url": receiver.webhook, "secret": "not-the-secret"})
    assert refused.value.retryable is False and "401" in str(refused.value)


def test_webhook_redirect_is_not_followed(receiver):
    receiver.script.append((302, "moved"))
    with pytest.raises(ChannelError) as moved:
        webhook.send(MESSAGE, {"url": receiver.webhook, "secret": peers.WEBHOOK_SECRET})
    assert moved.value.retryable is False and "302" in str(moved.value)


def test_webhook_only_http_addresses():
    with pytest.raises(ChannelError) as refused:
        webhook.send(MESSAGE, {"url": "file:///etc/passwd", "secret": ""})
    assert refused.value.retryable is False


# Failures of any HTTP peer ----------------------------------------------------------------


@pytest.mark.parametrize("channel", ["dingtalk", "wecom", "webhook"])
def test_a_500_is_retryable(receiver, channel):
    receiver.script.append((500, "Internal Server Error"))
    send, target = {
        "dingtalk": (dingtalk.send, dingtalk_target(receiver)),
        "wecom": (wecom.send, {"webhook": receiver.wecom}),
        "webhook": (webhook.send, {"url": receiver.webhook, "secret": peers.WEBHOOK_SECRET}),
    }[channel]
    with pytest.raises(ChannelError) as failed:
        send(MESSAGE, target)
    assert failed.value.retryable is True and "500" in str(failed.value)
    send(MESSAGE, target)  # and the next try is taken
    assert len(receiver.requests) == 2


def test_a_peer_that_never_answers_times_out_as_retryable(settings):
    settings.DIAODU_CHANNEL_TIMEOUT = 0.3
    silent = peers.silent_port()
    try:
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(ChannelError) as failed:
            webhook.send(MESSAGE, {"url": f"http://127.0.0.1:{port}/hook", "secret": "x"})
        assert time.monotonic() - started < 5
    finally:
        silent.close()
    assert failed.value.retryable is True


def test_a_refused_connection_is_retryable():
    closed = peers.closed_port()
    try:
        port = closed.getsockname()[1]
        target = {"webhook": f"http://127.0.0.1:{port}/robot/send?access_token=abcdefgh"}
        with pytest.raises(ChannelError) as failed:
            dingtalk.send(MESSAGE, {**target, "secret": peers.DINGTALK_SECRET})
    finally:
        closed.close()
    assert failed.value.retryable is True
    assert "abcdefgh" not in str(failed.value)  # the token is not in the error


def test_mask_hides_tokens_and_passwords():
    assert (
        mask("https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef")
        == "https://oapi.dingtalk.com/robot/send?access_token=0123…"
    )
    assert mask("https://user:pw@hooks.example.cn:8443/in?key=secret") == (
        "https://hooks.example.cn:8443/in?key=secr…"
    )


# SMS (Alibaba Cloud) ----------------------------------------------------------------------


@pytest.fixture
def aliyun(settings, receiver):
    settings.DIAODU_SMS_PROVIDER = "aliyun"
    settings.DIAODU_SMS_ACCESS_KEY_ID = peers.ALIYUN_KEY_ID
    settings.DIAODU_SMS_ACCESS_KEY_SECRET = peers.ALIYUN_KEY_SECRET
    settings.DIAODU_SMS_SIGN_NAME = "某市重点项目调度"
    settings.DIAODU_SMS_TEMPLATE_CODE = "SMS_123456789"
    settings.DIAODU_SMS_ENDPOINT = receiver.aliyun
    settings.DIAODU_SMS_MAX_CHARS = 70
    return receiver


def test_sms_signed_request_is_taken(aliyun):
    biz_id = sms.send(MESSAGE, {"phone": "138-0000-0000"})
    assert biz_id == "900619746936498440^1"
    [got] = aliyun.requests  # the peer recomputed the signature from this query string
    assert got.method == "GET"
    assert got.query["PhoneNumbers"] == "13800000000"
    assert got.query["SignName"] == "某市重点项目调度"
    assert got.query["TemplateCode"] == "SMS_123456789"
    params = json.loads(got.query["TemplateParam"])
    assert params == {"title": MESSAGE.title, "link": "/reporting/reports/812/"}


def test_sms_template_parameters_are_cut_to_the_limits(aliyun, settings):
    long = Message(title="问题" * 40, url="https://xm.example.gov.cn/problems/12/")
    sms.send(long, {"phone": "13800000000"})
    params = json.loads(aliyun.requests[0].query["TemplateParam"])
    assert len(params["title"]) == 35 and params["title"].endswith("…")
    assert params["link"] == "/problems/12/"
    settings.DIAODU_SMS_MAX_CHARS = 20  # the whole content passed, title and link
    sms.send(long, {"phone": "13800000000"})
    params = json.loads(aliyun.requests[1].query["TemplateParam"])
    assert len(params["title"]) + len(params["link"]) <= 20
    assert params["link"] == "/"  # a path too long for the room is not cut: the site's root


def test_sms_wrong_secret_is_refused_and_not_retried(aliyun, settings):
    settings.DIAODU_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(ChannelError) as refused:
        sms.send(MESSAGE, {"phone": "13800000000"})
    assert refused.value.retryable is False and "SignatureDoesNotMatch" in str(refused.value)


@pytest.mark.parametrize(
    "code, retryable",
    [
        ("isv.BUSINESS_LIMIT_CONTROL", True),
        ("Throttling.User", True),
        ("isv.MOBILE_NUMBER_ILLEGAL", False),
        ("isv.AMOUNT_NOT_ENOUGH", False),
    ],
)
def test_sms_provider_codes(aliyun, code, retryable):
    aliyun.script.append((200, peers.aliyun_error(code, "触发流控")))
    with pytest.raises(ChannelError) as failed:
        sms.send(MESSAGE, {"phone": "13800000000"})
    assert failed.value.retryable is retryable and code in str(failed.value)


def test_sms_500_without_json_is_retryable(aliyun):
    aliyun.script.append((503, "Service Unavailable"))
    with pytest.raises(ChannelError) as failed:
        sms.send(MESSAGE, {"phone": "13800000000"})
    assert failed.value.retryable is True


def test_sms_checks_the_number_and_the_provider(aliyun, settings):
    with pytest.raises(ChannelError) as wrong:
        sms.send(MESSAGE, {"phone": "0371-12345"})
    assert wrong.value.retryable is False
    settings.DIAODU_SMS_PROVIDER = ""
    with pytest.raises(ChannelError) as off:
        sms.send(MESSAGE, {"phone": "13800000000"})
    assert off.value.retryable is False
    assert aliyun.requests == []


def test_aliyun_signature_matches_the_documented_example():
    # The example of Alibaba Cloud's documentation of signature version 1.0 (RPC style):
    # AccessKeySecret "testsecret", these parameters, this signature.
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert sms.AliyunSms.signature("testsecret", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
