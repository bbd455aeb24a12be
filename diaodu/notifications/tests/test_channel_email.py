"""The e-mail channel against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

import email
import email.policy

import pytest

from diaodu.notifications.channels import ChannelError, Message
from diaodu.notifications.channels import email as mail
from diaodu.notifications.tests import peers

MESSAGE = Message(
    title="问题“征地拆迁未完成”已逾期3天",
    body="项目：城东污水处理厂\n责任单位：解放区\n期限：2026年3月10日",
    url="https://xm.example.gov.cn/problems/12/",
    event="problem.overdue",
)
TARGET = {"address": "wangjg@jiefang.gov.cn", "name": "王建国"}


@pytest.fixture
def smtp(settings):
    box = peers.Mailbox()
    server = peers.LocalSMTP(box, user="diaodu", password="mail-pass")
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "diaodu", "mail-pass"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "重点项目调度 <diaodu@xm.example.gov.cn>"
    settings.DIAODU_CHANNEL_TIMEOUT = 5
    yield box
    server.stop()


def received(box):
    [envelope] = box.envelopes
    return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)


def test_an_email_in_chinese_with_text_and_html(smtp):
    message_id = mail.send(MESSAGE, TARGET)
    envelope, got = received(smtp)
    assert envelope.mail_from == "diaodu@xm.example.gov.cn"
    assert envelope.rcpt_tos == ["wangjg@jiefang.gov.cn"]
    assert got["Subject"].strip() == MESSAGE.title  # folded after "Subject:" by Django
    assert got["To"].addresses[0].display_name == "王建国"
    assert got["To"].addresses[0].addr_spec == "wangjg@jiefang.gov.cn"
    assert got["From"].addresses[0].display_name == "重点项目调度"
    assert got["Message-ID"] == message_id and message_id.endswith("@xm.example.gov.cn>")
    assert got["X-Diaodu-Event"] == "problem.overdue"
    text = got.get_body(("plain",)).get_content()
    assert text.startswith("王建国，您好：")
    assert "责任单位：解放区" in text
    assert f"查看详情：{MESSAGE.url}" in text
    html = got.get_body(("html",)).get_content()
    assert '<html lang="zh-hans">' in html
    assert "<h2" in html and MESSAGE.title.replace("“", "&ldquo;") not in html
    assert "问题“征地拆迁未完成”已逾期3天" in html
    assert "项目：城东污水处理厂<br>责任单位：解放区" in html
    assert f'<a href="{MESSAGE.url}"' in html and "查看详情</a>" in html


def test_html_is_escaped():
    html = mail.html_body(Message(title="<b>x</b>", body="a & <script>", url="javascript:x"), "")
    assert "<b>x</b>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html


def test_an_address_the_server_does_not_know_is_not_retried(smtp):
    with pytest.raises(ChannelError) as refused:
        mail.send(MESSAGE, {"address": "nobody@jiefang.gov.cn", "name": ""})
    assert refused.value.retryable is False and "550" in str(refused.value)
    assert smtp.envelopes == []


def test_a_temporary_refusal_is_retried(smtp):
    with pytest.raises(ChannelError) as refused:
        mail.send(MESSAGE, {"address": "busy@jiefang.gov.cn", "name": ""})
    assert refused.value.retryable is True and "451" in str(refused.value)


def test_a_wrong_password_is_not_retried(smtp, settings):
    settings.EMAIL_HOST_PASSWORD = "wrong"
    with pytest.raises(ChannelError) as refused:
        mail.send(MESSAGE, TARGET)
    assert refused.value.retryable is False and "535" in str(refused.value)
    assert "wrong" not in str(refused.value)


def test_a_server_that_cannot_be_reached_is_retried(settings):
    closed = peers.closed_port()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed.getsockname()[1]
        with pytest.raises(ChannelError) as failed:
            mail.send(MESSAGE, TARGET)
    finally:
        closed.close()
    assert failed.value.retryable is True


def test_a_server_that_never_answers_times_out(settings):
    silent = peers.silent_port()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
        settings.DIAODU_CHANNEL_TIMEOUT = 0.3
        with pytest.raises(ChannelError) as failed:
            mail.send(MESSAGE, TARGET)
    finally:
        silent.close()
    assert failed.value.retryable is True


def test_no_address_is_not_retried():
    with pytest.raises(ChannelError) as refused:
        mail.send(MESSAGE, {"address": "", "name": "王建国"})
    assert refused.value.retryable is False
