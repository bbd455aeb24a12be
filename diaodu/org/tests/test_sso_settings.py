"""Single sign-on is off unless configured, and a configuration that cannot work stops the
process with the names of the variables to fix (read in a fresh process, as a server reads them)."""

import os
import subprocess
import sys
from importlib.util import find_spec

PRINT = (
    "import diaodu.settings as s; "
    "print([b.rsplit('.', 1)[1] for b in s.AUTHENTICATION_BACKENDS]); "
    "print(sorted(s.DIAODU_LDAP_ATTRIBUTES.items()))"
)


def _settings(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIAODU_")}
    environment.update({"DIAODU_DEBUG": "true", **env})
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=environment, capture_output=True, text=True, check=False
    )


def test_off_by_default_and_on_when_configured():
    result = _settings()
    assert result.returncode == 0, result.stderr
    assert "['LockoutBackend', 'ModelBackend']" in result.stdout

    result = _settings(
        DIAODU_LDAP_URL="ldaps://ldap.example.gov.cn",
        DIAODU_LDAP_USER_BASE="ou=people,dc=example,dc=gov,dc=cn",
        DIAODU_LDAP_ATTR_MAP="last_name=sn, first_name = givenName",
        DIAODU_OIDC_ISSUER="https://id.example.gov.cn/",
        DIAODU_OIDC_CLIENT_ID="diaodu",
        DIAODU_OIDC_CLIENT_SECRET="secret",
    )
    if find_spec("django_auth_ldap") is None:  # installed without the ldap extra
        assert result.returncode != 0
        assert "DIAODU_LDAP_URL needs the ldap extra" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    backends = "['LockoutBackend', 'ModelBackend', 'DirectoryBackend', 'IdentityPlatformBackend']"
    assert backends in result.stdout  # the local password first, as before
    assert "[('first_name', 'givenName'), ('last_name', 'sn')]" in result.stdout


def test_a_configuration_that_cannot_work_names_what_to_fix():
    result = _settings(
        DIAODU_LDAP_URL="ldap.example.gov.cn",
        DIAODU_LDAP_USER_FILTER="(uid=zhangsan)",
        DIAODU_LDAP_ATTR_MAP="role=title,last_name=sn",
        DIAODU_OIDC_ISSUER="https://id.example.gov.cn",
        DIAODU_OIDC_SCOPES="profile",
    )
    assert result.returncode != 0
    for words in (
        "DIAODU_LDAP_URL must be an ldap:// or ldaps:// address",
        "DIAODU_LDAP_URL needs DIAODU_LDAP_USER_BASE",
        "DIAODU_LDAP_USER_FILTER must contain %(user)s",
        "DIAODU_LDAP_ATTR_MAP: role= is not one of first_name, last_name, email, phone",
        "DIAODU_OIDC_ISSUER needs DIAODU_OIDC_CLIENT_ID and _CLIENT_SECRET",
        "DIAODU_OIDC_SCOPES must include openid",
    ):
        assert words in result.stderr


def test_production_asks_the_platform_over_https():
    env = {"DIAODU_OIDC_CLIENT_ID": "diaodu", "DIAODU_OIDC_CLIENT_SECRET": "secret"}
    result = _settings(DIAODU_OIDC_ISSUER="http://id.example.gov.cn", DIAODU_DEBUG="false", **env)
    assert "DIAODU_OIDC_ISSUER must be an https:// address" in result.stderr
