"""Typed, strict readers for settings taken from environment variables.

A value that cannot be read is an error that names the variable, so a misspelt boolean
(`DIAODU_SECURE_COOKIES=ture`) stops the process instead of silently meaning "off".
An unset or empty variable takes the default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def envstr(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def envbool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes or no: use one of {sorted(TRUE)} or {sorted(FALSE)}."
    )


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below its minimum {minimum}.")
    return number


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = envstr(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


SECRET_KEY_MISSING = (
    "DIAODU_SECRET_KEY must be set in production (DIAODU_DEBUG is not true): set it to a long "
    "random value, e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
)


def require_secret_key() -> None:
    """Refuse to serve without a secret key (called by every process that serves)."""
    from django.conf import settings

    if settings.DEBUG:
        return
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own refusal of an empty key
        key = ""
    if not key:
        raise ImproperlyConfigured(SECRET_KEY_MISSING)
