"""Signing in with the password of the city's directory (LDAP), through django-auth-ldap (BSD
licence), off until DIAODU_LDAP_URL is set (docs/sso.md).

The directory checks the password; the account is Diaodu's own, chosen by the rule of
`diaodu.org.sso.account_for` (the same user name, made by headquarters, active, not a
superuser): no account is ever created, and nothing of the directory gives a role, a unit or a
group. Only the names, e-mail and phone named by DIAODU_LDAP_ATTR_MAP are copied from the
directory at each sign-in.

The backend stands after Django's own, so the local password keeps working; a failure through
either is one failed sign-in for django-axes and the audit log.
"""

from typing import Any

import ldap
from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import LDAPSearch, LDAPSettings

from diaodu.org.models import User
from diaodu.org.sso import DIRECTORY, DIRECTORY_UNREACHABLE, Refusal, account_for, refuse


def directory_settings() -> dict[str, Any]:
    """django-auth-ldap's settings, from Diaodu's (read when a sign-in starts)."""
    timeout = settings.DIAODU_LDAP_TIMEOUT
    options: dict[int, Any] = {
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        ldap.OPT_REFERRALS: 0,
    }
    if settings.DIAODU_LDAP_CA_FILE:
        options[ldap.OPT_X_TLS_CACERTFILE] = settings.DIAODU_LDAP_CA_FILE
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # last: applies the TLS options above
    return {
        "SERVER_URI": settings.DIAODU_LDAP_URL,
        "BIND_DN": settings.DIAODU_LDAP_BIND_DN,
        "BIND_PASSWORD": settings.DIAODU_LDAP_BIND_PASSWORD,
        "USER_SEARCH": LDAPSearch(
            settings.DIAODU_LDAP_USER_BASE, ldap.SCOPE_SUBTREE, settings.DIAODU_LDAP_USER_FILTER
        ),
        "START_TLS": settings.DIAODU_LDAP_START_TLS,
        "CONNECTION_OPTIONS": options,
        # Never a new account, never the library's own copy of attributes (a full save of the
        # user): see _copy_attributes.
        "NO_NEW_USERS": True,
        "ALWAYS_UPDATE_USER": False,
        "USER_ATTR_MAP": {},
        "MIRROR_GROUPS": None,
        "FIND_GROUP_PERMS": False,
        "CACHE_TIMEOUT": 0,
    }


class DirectoryBackend(LDAPBackend):  # type: ignore[misc]  # django-auth-ldap has no types
    """The directory checks the password; Diaodu chooses the account."""

    _request: HttpRequest | None = None
    _settings: LDAPSettings | None = None

    @property
    def settings(self) -> LDAPSettings:
        if self._settings is None:
            # A prefix no setting has: only directory_settings() configures the library.
            self._settings = LDAPSettings("DIAODU_LDAP_LIBRARY_", directory_settings())
        return self._settings

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is None:  # as for the lockout: a sign-in without a request is not ours
            return None
        self._request = request  # Django makes a backend for each authenticate()
        user: User | None = super().authenticate(
            request, username=username, password=password, **kwargs
        )
        return user

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        user = account_for(self._request, username, DIRECTORY)
        if user is None:
            raise ldap_user.AuthenticationFailed("no Diaodu account may sign in")
        return user, False

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        user: User | None = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            _copy_attributes(user, ldap_user.attrs or {})
        return user

    def get_user(self, user_id: int) -> User | None:
        """The signed-in user of a session, while the account stays active."""
        user: User | None = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    # A user's permissions are Diaodu's (its role), never the directory's groups.
    def get_group_permissions(self, user: User, obj: object = None) -> set[str]:
        return set()


def _copy_attributes(user: User, attrs: dict[str, list[str]]) -> None:
    """The names, e-mail and phone from the directory, saved when they changed."""
    changed = []
    for name, attribute in settings.DIAODU_LDAP_ATTRIBUTES.items():
        values = attrs.get(attribute) or attrs.get(attribute.lower()) or []
        if not values:
            continue
        field = User._meta.get_field(name)
        assert isinstance(field, models.CharField)  # the four of settings._LDAP_FIELDS
        value = str(values[0]).strip()[: field.max_length]
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if changed:
        user.save(update_fields=changed)


def _unreachable(
    sender: type, context: str, user: User | None, request: HttpRequest | None, **kwargs: Any
) -> None:
    """The library logs an error of the directory itself (down, timed out, refused the search
    account) and goes on as for a wrong password; the person is told the directory is down."""
    cause = repr(kwargs.get("exception"))[:200]
    refuse(request, Refusal(DIRECTORY, DIRECTORY_UNREACHABLE, technical=cause))


ldap_error.connect(_unreachable, sender=DirectoryBackend, dispatch_uid="diaodu-ldap-unreachable")
