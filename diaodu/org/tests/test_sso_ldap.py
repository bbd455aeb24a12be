"""Signing in with the city's directory (LDAP), against a real OpenLDAP slapd that the tests
start on a free local port with a temporary configuration and a few people loaded by ldapadd.

slapd and ldap-utils are Debian packages (.ci/run installs them): without them these tests are
skipped here, and fail under CI=true.
"""

import base64
import os
import shutil
import socket
import subprocess
import time
from importlib.util import find_spec
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client

from diaodu.factories import PASSWORD, UserFactory
from diaodu.org.choices import AuditKind, Role
from diaodu.org.models import AuditEvent, User

SUFFIX = "dc=example,dc=gov,dc=cn"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
SEARCH_DN = f"cn=diaodu,ou=services,{SUFFIX}"
SEARCH_PASSWORD = "search-secret"
DIRECTORY_PASSWORD = "directory-Password-9"  # everyone's, in the directory; not Diaodu's
PEOPLE = [  # uid, surname, given name
    ("zhangsan", "张", "三"),
    ("lisi", "李", "四"),
    ("wangwu", "王", "五"),
    ("admin", "管", "理"),
]


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/bin")
    if found is None:
        message = f"{name} is not installed: apt-get install slapd ldap-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ldif_line(name: str, value: str) -> str:
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def _entries(hashed: str, search_hashed: str) -> str:
    blocks = [
        [f"dn: {SUFFIX}", "objectClass: dcObject", "objectClass: organization"]
        + ["o: Example City", "dc: example"],
        [f"dn: ou=people,{SUFFIX}", "objectClass: organizationalUnit", "ou: people"],
        [f"dn: ou=services,{SUFFIX}", "objectClass: organizationalUnit", "ou: services"],
        [f"dn: {SEARCH_DN}", "objectClass: organizationalRole"]
        + ["objectClass: simpleSecurityObject", "cn: diaodu", f"userPassword: {search_hashed}"],
    ]
    for uid, surname, given in PEOPLE:
        blocks.append(
            [f"dn: uid={uid},ou=people,{SUFFIX}", "objectClass: inetOrgPerson", f"uid: {uid}"]
            + [_ldif_line("cn", surname + given), _ldif_line("sn", surname)]
            + [_ldif_line("givenName", given), f"mail: {uid}@example.gov.cn"]
            + [f"userPassword: {hashed}"]
        )
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """A running slapd (mdb database in a temporary folder) holding PEOPLE; its address."""
    if find_spec("django_auth_ldap") is None:
        message = "the ldap extra is not installed: pip install -e '.[ldap]' (make setup does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    slapd, slappasswd, ldapadd = _tool("slapd"), _tool("slappasswd"), _tool("ldapadd")
    home = tmp_path_factory.mktemp("slapd")
    (home / "data").mkdir()

    def hashed(password: str) -> str:
        return subprocess.check_output([slappasswd, "-s", password], text=True).strip()

    modules = next(
        (path for path in ("/usr/lib/ldap", "/usr/lib/openldap") if Path(path).is_dir()), ""
    )
    (home / "slapd.conf").write_text(
        "\n".join(
            [
                *(f"include /etc/ldap/schema/{name}.schema" for name in ("core", "cosine")),
                "include /etc/ldap/schema/inetorgperson.schema",
                f"pidfile {home}/slapd.pid",
                *([f"modulepath {modules}", "moduleload back_mdb"] if modules else []),
                "database mdb",
                f'suffix "{SUFFIX}"',
                f'rootdn "{ROOT_DN}"',
                f"rootpw {hashed(ROOT_PASSWORD)}",
                f"directory {home}/data",
                "maxsize 10485760",
                # Passwords are only for binding; only the search account reads the people.
                "access to attrs=userPassword by anonymous auth by * none",
                f'access to * by dn.exact="{SEARCH_DN}" read by self read by * none',
                "",
            ]
        )
    )
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    server = subprocess.Popen(
        [slapd, "-f", str(home / "slapd.conf"), "-h", url + "/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"slapd did not start: {server.stderr.read()}")
                time.sleep(0.05)
        (home / "people.ldif").write_text(
            _entries(hashed(DIRECTORY_PASSWORD), hashed(SEARCH_PASSWORD))
        )
        subprocess.run(
            [ldapadd, "-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PASSWORD]
            + ["-f", str(home / "people.ldif")],
            check=True,
            capture_output=True,
        )
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def ldap_on(directory, settings):
    settings.DIAODU_LDAP_URL = directory
    settings.DIAODU_LDAP_BIND_DN = SEARCH_DN
    settings.DIAODU_LDAP_BIND_PASSWORD = SEARCH_PASSWORD
    settings.DIAODU_LDAP_USER_BASE = f"ou=people,{SUFFIX}"
    settings.DIAODU_LDAP_USER_FILTER = "(uid=%(user)s)"
    settings.DIAODU_LDAP_ATTRIBUTES = {"last_name": "sn", "first_name": "givenName"}
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "diaodu.org.sso_ldap.DirectoryBackend",
    ]
    return settings


@pytest.fixture
def zhangsan(db):
    """Made by headquarters with a role; a local password of its own, not the directory's."""
    return UserFactory(username="zhangsan", role=Role.REGION, first_name="", last_name="")


def sign_in(client, username, password, address="10.0.1.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def test_the_directory_password_signs_in_to_the_diaodu_account(ldap_on, zhangsan):
    page = Client().get("/login/").content.decode()
    assert "统一目录的用户名和密码" in page  # the page says so

    client = Client()
    response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == "zhangsan"
    zhangsan.refresh_from_db()
    assert (zhangsan.last_name, zhangsan.first_name) == ("张", "三")  # copied from the directory
    assert zhangsan.role == Role.REGION  # Diaodu's, untouched
    assert zhangsan.check_password(PASSWORD)  # the local password still works too
    assert sign_in(Client(), "zhangsan", PASSWORD, address="10.0.1.2").status_code == 302
    signed_in = AuditEvent.objects.filter(kind=AuditKind.SIGNED_IN, username="zhangsan")
    assert signed_in.get(address="10.0.1.1").detail == "目录（LDAP）"
    assert signed_in.get(address="10.0.1.2").detail == ""  # the local password

    # The session lasts while the account is active: deactivated, it ends at the next request.
    assert client.get("/").status_code == 200
    User.objects.filter(pk=zhangsan.pk).update(is_active=False)
    assert client.get("/").status_code == 302


def test_wrong_directory_passwords_are_counted_locked_and_logged(ldap_on, zhangsan):
    client = Client()
    for _ in range(4):
        response = sign_in(client, "zhangsan", "not-the-password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    assert "请输入一个正确的" in response.content.decode()  # Django's usual words
    assert sign_in(client, "zhangsan", "not-the-password").status_code == 429  # the fifth locks
    response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)
    assert response.status_code == 429  # locked: the right password does not help now
    assert signed_in_as(client) is None
    assert AccessAttempt.objects.get(username="zhangsan").failures_since_start >= 5
    failures = AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_FAILED, username="zhangsan")
    assert failures.count() >= 5
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED_OUT, username="zhangsan").exists()


def test_a_directory_user_without_a_diaodu_account_is_refused_and_none_is_made(ldap_on, db):
    client = Client()
    response = sign_in(client, "lisi", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "身份已确认，但本平台没有账号“lisi”，请联系指挥部办公室开通。" in page
    assert signed_in_as(client) is None
    assert not User.objects.filter(username__iexact="lisi").exists()
    event = AuditEvent.objects.get(kind=AuditKind.SIGN_IN_FAILED, username="lisi")
    assert event.detail.startswith("目录（LDAP）：身份已确认")
    assert AccessAttempt.objects.get(username="lisi").failures_since_start == 1
    # A wrong password for the same person says nothing of the account.
    response = sign_in(Client(), "lisi", "wrong", address="10.0.1.3")
    assert "本平台没有账号" not in response.content.decode()


def test_a_deactivated_diaodu_account_is_refused(ldap_on, db):
    UserFactory(username="wangwu", role=Role.DEPARTMENT, is_active=False)
    client = Client()
    response = sign_in(client, "wangwu", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert "账号“wangwu”已停用，请联系指挥部办公室。" in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(
        kind=AuditKind.SIGN_IN_FAILED, username="wangwu", detail__contains="已停用"
    ).exists()


def test_the_administrator_signs_in_with_the_local_password_only(ldap_on, db):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    client = Client()
    response = sign_in(client, "admin", DIRECTORY_PASSWORD)  # the directory's "admin"
    assert "只能用本平台的密码登录" in response.content.decode()
    assert signed_in_as(client) is None
    assert sign_in(client, "admin", PASSWORD, address="10.0.1.4").status_code == 302
    assert signed_in_as(client) == "admin"


def test_a_user_name_is_a_name_not_a_filter(ldap_on, zhangsan):
    for name in ("*", "zhang*", "zhangsan)(uid=*"):
        client = Client()
        response = sign_in(client, name, DIRECTORY_PASSWORD, address="10.0.1.5")
        assert response.status_code == 200
        assert signed_in_as(client) is None


def test_the_search_account_is_needed_to_find_anyone(ldap_on, zhangsan):
    ldap_on.DIAODU_LDAP_BIND_DN = ldap_on.DIAODU_LDAP_BIND_PASSWORD = ""  # anonymous sees nobody
    client = Client()
    assert sign_in(client, "zhangsan", DIRECTORY_PASSWORD).status_code == 200
    assert signed_in_as(client) is None


def test_a_directory_that_cannot_be_reached_is_said_so(ldap_on, zhangsan):
    ldap_on.DIAODU_LDAP_URL = f"ldap://127.0.0.1:{_free_port()}"  # nothing listens there
    ldap_on.DIAODU_LDAP_TIMEOUT = 2
    client = Client()
    response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert "目录服务暂时无法连接，请稍后再试。" in response.content.decode()
    assert signed_in_as(client) is None
    # The local password does not need the directory.
    assert sign_in(client, "zhangsan", PASSWORD, address="10.0.1.6").status_code == 302


def test_without_a_directory_nothing_asks_one(zhangsan, directory):
    page = Client().get("/login/").content.decode()
    assert "统一目录的用户名和密码" not in page
    client = Client()
    assert sign_in(client, "zhangsan", DIRECTORY_PASSWORD).status_code == 200
    assert signed_in_as(client) is None
