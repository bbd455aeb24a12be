"""The channels' settings, read from the environment as a deployment sets them."""

import json
import os
import subprocess
import sys

NAMES = [
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
    "DIAODU_SITE_URL",
    "DIAODU_SMS_PROVIDER",
    "DIAODU_SMS_MAX_CHARS",
    "DIAODU_SMS_ENDPOINT",
]


def settings_with(**env):
    """Import the settings in a fresh process with `env` (and no other DIAODU_ variable)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIAODU_")}
    environment.update({"DIAODU_SECRET_KEY": "k" * 50, **env})
    code = (
        "import json, diaodu.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {NAMES}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )
    return (json.loads(result.stdout) if result.returncode == 0 else None), result.stderr


def test_email_settings_map_onto_djangos():
    values, error = settings_with(
        DIAODU_EMAIL_HOST="smtp.xm.gov.cn",
        DIAODU_EMAIL_PORT="465",
        DIAODU_EMAIL_USER="diaodu",
        DIAODU_EMAIL_PASSWORD="pw",
        DIAODU_EMAIL_SSL="true",
        DIAODU_EMAIL_FROM="重点项目调度 <diaodu@xm.gov.cn>",
        DIAODU_CHANNEL_TIMEOUT="7",
        DIAODU_SITE_URL="https://xm.example.gov.cn/",
    )
    assert values, error
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.xm.gov.cn", 465)
    assert (values["EMAIL_HOST_USER"], values["EMAIL_HOST_PASSWORD"]) == ("diaodu", "pw")
    assert (values["EMAIL_USE_SSL"], values["EMAIL_USE_TLS"]) == (True, False)
    assert values["EMAIL_TIMEOUT"] == 7
    assert values["DEFAULT_FROM_EMAIL"] == "重点项目调度 <diaodu@xm.gov.cn>"
    assert values["DIAODU_SITE_URL"] == "https://xm.example.gov.cn"


def test_without_a_mail_host_development_prints_and_production_uses_localhost():
    development, error = settings_with(DIAODU_DEBUG="true")
    assert development, error
    assert development["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert development["DIAODU_SMS_PROVIDER"] == "" and development["DIAODU_SMS_MAX_CHARS"] == 70
    assert development["DIAODU_SMS_ENDPOINT"] == "https://dysmsapi.aliyuncs.com/"
    production, error = settings_with(DIAODU_DEBUG="false")
    assert production, error
    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (production["EMAIL_HOST"], production["EMAIL_PORT"]) == ("localhost", 25)


def test_wrong_channel_settings_stop_the_process_naming_the_variable():
    for env, named in [
        (
            {"DIAODU_SMS_PROVIDER": "aliyun", "DIAODU_SMS_SIGN_NAME": "某市"},
            "DIAODU_SMS_TEMPLATE_CODE",
        ),
        ({"DIAODU_SMS_PROVIDER": "tencent"}, "DIAODU_SMS_PROVIDER"),
        ({"DIAODU_EMAIL_TLS": "true", "DIAODU_EMAIL_SSL": "true"}, "DIAODU_EMAIL_SSL"),
        ({"DIAODU_DINGTALK_WEBHOOK": "oapi.dingtalk.com/robot"}, "DIAODU_DINGTALK_WEBHOOK"),
        ({"DIAODU_CHANNEL_TIMEOUT": "0"}, "DIAODU_CHANNEL_TIMEOUT"),
    ]:
        values, error = settings_with(DIAODU_DEBUG="true", **env)
        assert values is None and named in error, env
