"""Signing in through the unified identity platform (OpenID Connect), against a real provider
served over HTTP on a free local port by the test: discovery, its public key (made here with
cryptography), the authorization endpoint that redirects back with a code, and the token
endpoint that checks the client, the code and the PKCE verifier and issues a signed ID token.
The whole code flow goes through the Django test client and that server, nothing mocked.
"""

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axes.models import AccessAttempt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client

from diaodu.factories import UserFactory
from diaodu.org.choices import AuditKind, Role
from diaodu.org.models import AuditEvent, User

CLIENT_ID = "diaodu"
CLIENT_SECRET = "client-secret-for-tests"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _number(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@functools.cache
def _keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The provider's signing key and another one (a forger's), made once per test session."""
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


class Provider:
    """A small OpenID provider. `claims` are the next person's; the tamper_* fields make it
    misbehave in one way, as a forged or broken answer would."""

    def __init__(self):
        self.key, self.other_key = _keys()
        self.claims = {}
        self.codes = {}
        self.tamper_nonce = False
        self.tamper_key = False
        self.tamper_issuer = False
        self.tamper_audience = False
        self.tamper_expiry = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    def sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": "test-key"}
        body = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        key = self.other_key if self.tamper_key else self.key
        signature = key.sign(body.encode(), padding.PKCS1v15(), hashes.SHA256())
        return body + "." + b64url(signature)

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        key = {"kty": "RSA", "kid": "test-key", "use": "sig", "alg": "RS256"}
        return {"keys": [{**key, "n": _number(numbers.n), "e": _number(numbers.e)}]}

    def authorize(self, query: dict) -> tuple[int, dict, dict]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "challenge": query.get("code_challenge"),
            "claims": dict(self.claims),
        }
        back = {"code": code, "state": query.get("state", "")}
        return 302, {"Location": query["redirect_uri"] + "?" + urllib.parse.urlencode(back)}, {}

    def token(self, form: dict, authorization: str) -> tuple[int, dict, dict]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {}, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {}, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {}, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {
            "iss": "http://forged.example" if self.tamper_issuer else self.issuer,
            "aud": ["another-client"] if self.tamper_audience else [CLIENT_ID, "another-client"],
            "azp": CLIENT_ID,
            "iat": now - 900 if self.tamper_expiry else now,
            "exp": now - 600 if self.tamper_expiry else now + 300,
            "nonce": "another-nonce" if self.tamper_nonce else grant["nonce"],
            **grant["claims"],
        }
        token = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
        return 200, {}, {**token, "expires_in": 300, "id_token": self.sign(claims)}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, headers, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self.answer(200, {}, provider.metadata())
                elif url.path == "/jwks":
                    self.answer(200, {}, provider.jwks())
                elif url.path == "/authorize":
                    self.answer(*provider.authorize(query))
                else:
                    self.answer(404, {}, {})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if urllib.parse.urlsplit(self.path).path == "/token":
                    self.answer(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self.answer(404, {}, {})

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def provider():
    server = Provider()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def oidc_on(provider, settings):
    settings.DIAODU_OIDC_ISSUER = provider.issuer
    settings.DIAODU_OIDC_CLIENT_ID = CLIENT_ID
    settings.DIAODU_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.DIAODU_OIDC_USERNAME_CLAIM = "preferred_username"
    settings.DIAODU_SITE_URL = "http://testserver"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "diaodu.org.sso.IdentityPlatformBackend",
    ]
    return settings


@pytest.fixture
def zhangsan(db):
    return UserFactory(username="zhangsan", role=Role.REGION)


def at_provider(url: str) -> str:
    """The browser at the platform: where the platform sends it back (not followed)."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(Stay).open(url, timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.read()
        return answer.headers["Location"]
    raise AssertionError("the platform did not redirect back")


def start(client, next_page=""):
    """The button on the sign-in page, then the platform: the address it sends back to."""
    response = client.get("/login/oidc/" + (f"?next={next_page}" if next_page else ""))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(oidc_issuer(client) + "/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert query["redirect_uri"] == "http://testserver/login/oidc/callback/"
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    return at_provider(location)


def oidc_issuer(client) -> str:
    from django.conf import settings

    return settings.DIAODU_OIDC_ISSUER


def back(client, location, address="10.0.2.1"):
    url = urllib.parse.urlsplit(location)
    assert url.netloc == "testserver"
    return client.get(url.path + "?" + url.query, REMOTE_ADDR=address)


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def shown(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == "/login/"
    return client.get("/login/").content.decode()


def test_the_button_shows_only_when_the_platform_is_configured(zhangsan, settings):
    assert "使用统一身份认证登录" not in Client().get("/login/").content.decode()
    assert Client().get("/login/oidc/").status_code == 404
    assert Client().get("/login/oidc/callback/?code=x&state=y").status_code == 404
    settings.DIAODU_OIDC_ISSUER = "https://id.example.gov.cn"
    page = Client().get("/login/?next=/inbox/").content.decode()
    assert "使用统一身份认证登录" in page
    assert 'href="/login/oidc/?next=/inbox/"' in page


def test_the_code_flow_signs_in_to_the_diaodu_account(oidc_on, provider, zhangsan):
    provider.claims = {"sub": "u-1001", "preferred_username": "zhangsan"}
    client = Client()
    response = back(client, start(client, "/inbox/"))
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert signed_in_as(client) == "zhangsan"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(kind=AuditKind.SIGNED_IN, username="zhangsan")
    assert (event.detail, event.address) == ("统一身份认证", "10.0.2.1")
    zhangsan.refresh_from_db()
    assert zhangsan.role == Role.REGION and zhangsan.has_usable_password()


def test_a_page_on_another_site_is_not_returned_to(oidc_on, provider, zhangsan):
    provider.claims = {"sub": "u-1001", "preferred_username": "zhangsan"}
    client = Client()
    response = back(client, start(client, "https://evil.example/"))
    assert response["Location"] == "/"  # home, not the other site
    assert signed_in_as(client) == "zhangsan"


def test_an_unknown_user_is_refused_and_no_account_is_made(oidc_on, provider, db):
    provider.claims = {"sub": "u-2002", "preferred_username": "nobody"}
    client = Client()
    page = shown(client, back(client, start(client)))
    assert "身份已确认，但本平台没有账号“nobody”，请联系指挥部办公室开通。" in page
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="nobody").exists()
    event = AuditEvent.objects.get(kind=AuditKind.SIGN_IN_FAILED, username="nobody")
    assert event.detail.startswith("统一身份认证：身份已确认")
    assert AccessAttempt.objects.get(username="nobody").failures_since_start == 1


def test_a_deactivated_account_and_the_administrator_are_refused(oidc_on, provider, db):
    UserFactory(username="wangwu", role=Role.DEPARTMENT, is_active=False)
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    for name, words in (("wangwu", "已停用"), ("admin", "只能用本平台的密码登录")):
        provider.claims = {"sub": name, "preferred_username": name}
        client = Client()
        assert words in shown(client, back(client, start(client)))
        assert signed_in_as(client) is None


def test_a_state_that_does_not_match_is_refused(oidc_on, provider, zhangsan):
    provider.claims = {"sub": "u-1001", "preferred_username": "zhangsan"}
    client = Client()
    location = start(client)
    forged = location.replace("state=", "state=x", 1)
    page = shown(client, back(client, forged))
    assert "统一身份认证登录无法确认" in page
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get(kind=AuditKind.SIGN_IN_FAILED)
    assert event.detail.startswith("统一身份认证：") and "state" in event.detail
    # A callback in another browser (no session of the flow) is refused the same way.
    other = Client()
    assert "统一身份认证登录无法确认" in shown(other, back(other, start(Client())))
    assert signed_in_as(other) is None


@pytest.mark.parametrize(
    ("tamper", "cause"),
    [
        ("tamper_nonce", "nonce"),
        ("tamper_key", "bad_signature"),
        ("tamper_issuer", "'iss'"),
        ("tamper_audience", "'aud'"),
        ("tamper_expiry", "expired"),
    ],
)
def test_an_id_token_that_fails_verification_is_refused(oidc_on, provider, zhangsan, tamper, cause):
    provider.claims = {"sub": "u-1001", "preferred_username": "zhangsan"}
    setattr(provider, tamper, True)
    client = Client()
    page = shown(client, back(client, start(client)))
    assert "统一身份认证平台的应答未通过校验，请重新登录。" in page
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get(kind=AuditKind.SIGN_IN_FAILED)
    assert cause in event.detail


def test_refusals_count_towards_the_lockout(oidc_on, provider, zhangsan):
    provider.claims = {"sub": "u-2002", "preferred_username": "nobody"}
    for _ in range(5):
        client = Client()
        back(client, start(client))
    provider.claims = {"sub": "u-1001", "preferred_username": "zhangsan"}
    client = Client()
    response = back(client, start(client))
    assert response.status_code == 429  # the address is locked, even for a known person
    assert signed_in_as(client) is None


def test_a_platform_that_cannot_be_reached_is_said_so(oidc_on, provider, zhangsan):
    provider.server.shutdown()
    provider.server.server_close()
    oidc_on.DIAODU_OIDC_TIMEOUT = 2
    client = Client()
    page = shown(client, client.get("/login/oidc/"))
    assert "统一身份认证平台暂时无法连接，请稍后再试。" in page
