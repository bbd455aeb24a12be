"""Real peers on 127.0.0.1 for the channels' tests: an HTTP receiver and an SMTP server.

The receiver plays DingTalk's robot, WeCom's robot, Alibaba Cloud SMS and a webhook's
subscriber, and checks what each would check, written here from their documentation and not
from the channels' code: DingTalk's 加签 (HMAC-SHA256 of "timestamp\\nsecret", base64, a
timestamp at most an hour from its clock), Aliyun's signature version 1.0 (recomputed from the
query string received), the webhook's HMAC of the raw body. A test can queue canned answers
(`receiver.script`) to play a failing peer.
"""

import base64
import calendar
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

DINGTALK_TOKEN = "d1ng7a1k70ken"
DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
WEBHOOK_SECRET = "s3cr3t-shared-with-the-subscriber"
ALIYUN_KEY_ID = "LTAI5tTestKeyId"
ALIYUN_KEY_SECRET = "testKeySecret0123456789"


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    raw_query: str = ""

    def json(self):
        return json.loads(self.body)


def aliyun_error(code: str, message: str) -> dict:
    return {"Code": code, "Message": message, "RequestId": "8906582E-6722", "HostId": "dysmsapi"}


@dataclass
class Receiver:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list = field(default_factory=list)
    script: deque = field(default_factory=deque)  # (status, body) answers to give first
    clock_offset_ms: int = 0  # the peer's clock ahead of ours
    nonces: set = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def dingtalk(self) -> str:
        return f"{self.base}/robot/send?access_token={DINGTALK_TOKEN}"

    @property
    def wecom(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={WECOM_KEY}"

    @property
    def webhook(self) -> str:
        return f"{self.base}/hook"

    @property
    def aliyun(self) -> str:
        return f"{self.base}/"

    # The peers' checks -------------------------------------------------------------------

    def answer(self, got: Received) -> tuple[int, dict | str]:
        if got.path == "/robot/send":
            return self.dingtalk_answer(got)
        if got.path == "/cgi-bin/webhook/send":
            return self.wecom_answer(got)
        if got.path == "/hook":
            return self.webhook_answer(got)
        if got.path == "/":
            return self.aliyun_answer(got)
        return 404, "not found"

    def dingtalk_answer(self, got: Received):
        if got.query.get("access_token") != DINGTALK_TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        try:
            timestamp = int(got.query["timestamp"])
        except (KeyError, ValueError):
            return 200, {"errcode": 310000, "errmsg": "sign not match, missing timestamp"}
        now = int(time.time() * 1000) + self.clock_offset_ms
        if abs(now - timestamp) > 3600 * 1000:
            return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
        string_to_sign = f"{timestamp}\n{DINGTALK_SECRET}"
        expected = base64.b64encode(
            hmac.new(DINGTALK_SECRET.encode(), string_to_sign.encode(), hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(got.query.get("sign", ""), expected):
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        data = got.json()
        if data.get("msgtype") != "markdown" or not data["markdown"].get("text"):
            return 200, {"errcode": 40035, "errmsg": "缺少参数 markdown"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def wecom_answer(self, got: Received):
        if got.query.get("key") != WECOM_KEY:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        data = got.json()
        kind = data.get("msgtype")
        limits = {"text": 2048, "markdown": 4096}
        if kind not in limits:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if len(data[kind]["content"].encode()) > limits[kind]:
            return 200, {"errcode": 40058, "errmsg": "content exceed max length"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def webhook_answer(self, got: Received):
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), got.body, "sha256").hexdigest()
        if not hmac.compare_digest(got.headers.get("X-Diaodu-Signature", ""), expected):
            return 401, "bad signature"
        return 204, ""

    def aliyun_answer(self, got: Received):
        pairs = urllib.parse.parse_qsl(got.raw_query, keep_blank_values=True, strict_parsing=True)
        params = dict(pairs)
        signature = params.pop("Signature", "")

        def encode(value: str) -> str:  # as the documentation's recipe says
            quoted = urllib.parse.quote(value, safe="")
            return quoted.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

        canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))
        string_to_sign = "GET&%2F&" + encode(canonical)
        key = (ALIYUN_KEY_SECRET + "&").encode()
        expected = base64.b64encode(
            hmac.new(key, string_to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if params.get("AccessKeyId") != ALIYUN_KEY_ID:
            return 404, aliyun_error(
                "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        if not hmac.compare_digest(signature, expected):
            return 400, aliyun_error(
                "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
            )
        if params["SignatureNonce"] in self.nonces:
            return 400, aliyun_error(
                "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        self.nonces.add(params["SignatureNonce"])
        expected_fixed = {
            "Action": "SendSms",
            "Version": "2017-05-25",
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
        }
        for name, value in expected_fixed.items():
            if params.get(name) != value:
                return 400, {"Code": "MissingParameter", "Message": f"{name} is wrong"}
        sent = calendar.timegm(time.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        if abs(sent - time.time()) > 15 * 60:
            return 400, aliyun_error(
                "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        template = json.loads(params["TemplateParam"])
        if any(not str(value) or len(str(value)) > 35 for value in template.values()):
            return 200, {"Code": "isv.PARAM_LENGTH_LIMIT", "Message": "参数超出长度限制"}
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": f"900619746936498440^{len(self.nonces)}",
            "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
        }

    # The server --------------------------------------------------------------------------

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                parts = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                got = Received(
                    method=self.command,
                    path=parts.path,
                    query=dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                    headers=dict(self.headers.items()),
                    body=self.rfile.read(length),
                    raw_query=parts.query,
                )
                receiver.requests.append(got)
                status, answer = (
                    receiver.script.popleft() if receiver.script else receiver.answer(got)
                )
                data = (
                    json.dumps(answer, ensure_ascii=False).encode()
                    if isinstance(answer, dict)
                    else answer.encode()
                )
                self.send_response(status)
                kind = "application/json" if isinstance(answer, dict) else "text/plain"
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def silent_port():
    """A socket that listens and never answers: a connection is made, and nothing comes back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def closed_port():
    """A bound socket that does not listen: connecting to it is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


# SMTP ------------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd's handler: keeps every message; refuses some addresses as a server would."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class LocalSMTP(Controller):
    """aiosmtpd's threaded server on a port of 127.0.0.1 chosen by the system (bound first, so
    no other process can take it between choosing and listening)."""

    def __init__(self, handler, *, user=None, password=None):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        options = {}
        if user:

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = auth_data.login == user.encode() and auth_data.password == password.encode()
                return AuthResult(success=ok, handled=False)

            options = {"authenticator": authenticator, "auth_require_tls": False}
        super().__init__(handler, hostname="127.0.0.1", port=self._sock.getsockname()[1], **options)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)
