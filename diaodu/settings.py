"""Settings for Diaodu, read strictly from environment variables (diaodu/env.py).

Every variable is listed in the README. Production is the default: debug only with
DIAODU_DEBUG=true (which `make demo` and the test settings set), and a serving process
refuses to start without DIAODU_SECRET_KEY. Without DATABASE_URL the database is a SQLite
file under var/; without DIAODU_BROKER_URL background tasks run in-process.
"""

import re
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from diaodu.env import envbool, envchoice, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("DIAODU_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DIAODU_DEBUG", False)
# In production without a key, nothing that signs (sessions, password resets) can work: the
# processes that serve (`diaodu serve`, the WSGI application, a Celery worker) refuse to start,
# naming the variable (diaodu.env.require_secret_key); commands that only read the code and the
# database (migrate, makemigrations --check, collectstatic, backup) still run.
SECRET_KEY = envstr("DIAODU_SECRET_KEY")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "diaodu-development-only-secret-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("DIAODU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("DIAODU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "diaodu.core.apps_static.PublishedStaticFilesConfig",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "diaodu.core",
    "diaodu.org",
    "diaodu.projects",
    "diaodu.reporting",
    "diaodu.problems",
    "diaodu.notifications",
    "diaodu.exchange",
    "diaodu.meetings",
    "diaodu.inspections",
    "diaodu.assessment",
    "diaodu.bulletins",
    "diaodu.monitoring",
    "diaodu.oc4ids",
    "diaodu.site",
    "diaodu.bench",
    "diaodu.demo",
]

MIDDLEWARE = [
    "diaodu.core.middleware.RequestIdMiddleware",
    "diaodu.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "diaodu.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "diaodu.org.middleware.SessionLimitsMiddleware",
    # Last: turns a refused sign-in of a locked account or address into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Static files from the collected folder, by the application itself (the development
    # server serves them from their sources).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "diaodu.urls"
WSGI_APPLICATION = "diaodu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "diaodu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "diaodu.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'diaodu.sqlite3'}"),
        conn_max_age=envint("DIAODU_DB_CONN_MAX_AGE", 0),
    )
}
# PostgreSQL's parallel workers for one query (max_parallel_workers_per_gather), when set: the
# WSGI entry point (diaodu/wsgi.py, so `diaodu serve` and any gunicorn) sets 0 unless told
# otherwise. A page's query split over three processes answers sooner alone but costs more CPU
# in all, and during a surge every core is already answering a request: at 500,000 projects
# `make load` held 39 of 40 requests/s a second without them against 36 with them. The queue and
# the commands (exports, snapshots) keep PostgreSQL's default, where one job has the cores.
if envstr("DIAODU_DB_PARALLEL_WORKERS") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _workers = envint("DIAODU_DB_PARALLEL_WORKERS", 0, minimum=0)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={_workers}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a report is being written.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the API's request counts (throttling). In production point it at Redis
# (e.g. redis://127.0.0.1:6379/1) so that every worker process counts together; without it each
# process keeps its own.
DIAODU_CACHE_URL = envstr("DIAODU_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DIAODU_CACHE_URL}
        if DIAODU_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The figures pages aggregate over the portfolio (a live ranking's indicators, the dashboard) are
# kept in the cache (diaodu/core/kept.py) where every process shares it (DIAODU_CACHE_URL) or
# there is one process (development); a process's own cache would not see the changes made in
# another, so elsewhere they are computed on each read.
DIAODU_KEEP_FIGURES = envbool("DIAODU_KEEP_FIGURES", bool(DIAODU_CACHE_URL) or DEBUG)

AUTH_USER_MODEL = "org.User"

# Signing in (diaodu/org/signin.py): after DIAODU_LOGIN_FAILURE_LIMIT wrong passwords for one
# account, or from one address, signing in is refused for DIAODU_LOCKOUT_MINUTES, counted from
# the last attempt (django-axes). A correct sign-in clears the account's earlier failures.
DIAODU_LOGIN_FAILURE_LIMIT = envint("DIAODU_LOGIN_FAILURE_LIMIT", 5, minimum=1)
DIAODU_LOCKOUT_MINUTES = envint("DIAODU_LOCKOUT_MINUTES", 30, minimum=1)
AUTHENTICATION_BACKENDS = [
    "diaodu.org.signin.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = DIAODU_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=DIAODU_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are logged on diaodu.auth (core/signals.py)
AXES_LOCKOUT_CALLABLE = "diaodu.org.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "diaodu.org.signin.client_address"
# A session ends after DIAODU_SESSION_IDLE_MINUTES without a request, and at the latest
# DIAODU_SESSION_MAX_HOURS after its sign-in (diaodu/org/middleware.py); the cookie goes with it.
DIAODU_SESSION_IDLE_MINUTES = envint("DIAODU_SESSION_IDLE_MINUTES", 30, minimum=1)
DIAODU_SESSION_MAX_HOURS = envint("DIAODU_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = DIAODU_SESSION_MAX_HOURS * 3600
# The demo's accounts share a published password: in production each must change it at sign-in.
DIAODU_DEMO_PASSWORD_MUST_CHANGE = envbool("DIAODU_DEMO_PASSWORD_MUST_CHANGE", not DEBUG)
# Argon2id first, tuned to about 22 ms a hash (signin.py); a PBKDF2 hash is rewritten as
# Argon2id at its owner's next sign-in.
PASSWORD_HASHERS = [
    "diaodu.org.signin.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "diaodu.org.passwords.CharacterClassesValidator"},
    {"NAME": "diaodu.org.passwords.NotReusedValidator"},
]
# A new password may be none of the user's last this many (nor the current one).
DIAODU_PASSWORD_HISTORY = envint("DIAODU_PASSWORD_HISTORY", 5, minimum=0)
# The audit log (sign-ins, failures, lockouts, password and permission changes, downloads) is
# kept this many months; 等保 2.0 asks for at least six.
DIAODU_AUDIT_MONTHS = envint("DIAODU_AUDIT_MONTHS", 12, minimum=6)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on with the city's unified identity platform (docs/sso.md), each off until its
# address is set. Either only lets a person into a Diaodu account that headquarters has already
# made, with the same user name, active and not a superuser: a directory or the platform never
# grants a role or a unit by itself. The local password keeps working beside them.
# LDAP (the `ldap` extra): the directory's address, e.g. ldaps://ldap.example.gov.cn; the
# account it searches with (empty: anonymously); where and how a user name is looked up; which
# directory attributes fill a user's names, e-mail and phone, e.g. "last_name=sn,first_name=
# givenName,email=mail"; STARTTLS, a CA certificate file, and the seconds it may take.
DIAODU_LDAP_URL = envstr("DIAODU_LDAP_URL")
DIAODU_LDAP_BIND_DN = envstr("DIAODU_LDAP_BIND_DN")
DIAODU_LDAP_BIND_PASSWORD = envstr("DIAODU_LDAP_BIND_PASSWORD")
DIAODU_LDAP_USER_BASE = envstr("DIAODU_LDAP_USER_BASE")
DIAODU_LDAP_USER_FILTER = envstr("DIAODU_LDAP_USER_FILTER", "(uid=%(user)s)")
DIAODU_LDAP_ATTRIBUTES = {
    field.strip(): attribute.strip()
    for field, _eq, attribute in (item.partition("=") for item in envlist("DIAODU_LDAP_ATTR_MAP"))
}
DIAODU_LDAP_START_TLS = envbool("DIAODU_LDAP_START_TLS", False)
DIAODU_LDAP_CA_FILE = envstr("DIAODU_LDAP_CA_FILE")
DIAODU_LDAP_TIMEOUT = envint("DIAODU_LDAP_TIMEOUT", 5, minimum=1)
# OpenID Connect (the `oidc` extra): the platform's issuer (its endpoints from the issuer's
# /.well-known/openid-configuration, or the three given here), the client registered there for
# Diaodu (its redirect address: DIAODU_SITE_URL + /login/oidc/callback/), the claim that holds
# the user name, the scopes asked for, and the seconds a call to the platform may take.
DIAODU_OIDC_ISSUER = envstr("DIAODU_OIDC_ISSUER").rstrip("/")
DIAODU_OIDC_CLIENT_ID = envstr("DIAODU_OIDC_CLIENT_ID")
DIAODU_OIDC_CLIENT_SECRET = envstr("DIAODU_OIDC_CLIENT_SECRET")
DIAODU_OIDC_USERNAME_CLAIM = envstr("DIAODU_OIDC_USERNAME_CLAIM", "preferred_username")
DIAODU_OIDC_SCOPES = envstr("DIAODU_OIDC_SCOPES", "openid profile")
DIAODU_OIDC_AUTHORIZATION_URL = envstr("DIAODU_OIDC_AUTHORIZATION_URL")
DIAODU_OIDC_TOKEN_URL = envstr("DIAODU_OIDC_TOKEN_URL")
DIAODU_OIDC_JWKS_URL = envstr("DIAODU_OIDC_JWKS_URL")
DIAODU_OIDC_TIMEOUT = envint("DIAODU_OIDC_TIMEOUT", 10, minimum=1)
_LDAP_FIELDS = ("first_name", "last_name", "email", "phone")
_sso_problems = [
    f"DIAODU_LDAP_ATTR_MAP: {field}= is not one of {', '.join(_LDAP_FIELDS)}"
    for field, attribute in DIAODU_LDAP_ATTRIBUTES.items()
    if field not in _LDAP_FIELDS or not attribute
]
if DIAODU_LDAP_URL:
    if not DIAODU_LDAP_URL.startswith(("ldap://", "ldaps://")):
        _sso_problems.append("DIAODU_LDAP_URL must be an ldap:// or ldaps:// address")
    if not DIAODU_LDAP_USER_BASE:
        _sso_problems.append("DIAODU_LDAP_URL needs DIAODU_LDAP_USER_BASE")
    if "%(user)s" not in DIAODU_LDAP_USER_FILTER:
        _sso_problems.append("DIAODU_LDAP_USER_FILTER must contain %(user)s")
    if not find_spec("django_auth_ldap"):
        _sso_problems.append("DIAODU_LDAP_URL needs the ldap extra: pip install 'diaodu[ldap]'")
    AUTHENTICATION_BACKENDS.append("diaodu.org.sso_ldap.DirectoryBackend")
if DIAODU_OIDC_ISSUER:
    if not DIAODU_OIDC_ISSUER.startswith("https://" if not DEBUG else ("https://", "http://")):
        _sso_problems.append("DIAODU_OIDC_ISSUER must be an https:// address")
    if not (DIAODU_OIDC_CLIENT_ID and DIAODU_OIDC_CLIENT_SECRET):
        _sso_problems.append("DIAODU_OIDC_ISSUER needs DIAODU_OIDC_CLIENT_ID and _CLIENT_SECRET")
    if "openid" not in DIAODU_OIDC_SCOPES.split():
        _sso_problems.append("DIAODU_OIDC_SCOPES must include openid")
    if not find_spec("authlib"):
        _sso_problems.append("DIAODU_OIDC_ISSUER needs the oidc extra: pip install 'diaodu[oidc]'")
    AUTHENTICATION_BACKENDS.append("diaodu.org.sso.IdentityPlatformBackend")
if _sso_problems:
    raise ImproperlyConfigured("; ".join(_sso_problems) + ".")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "diaodu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("DIAODU_STATIC_ROOT", str(VAR_DIR / "static")))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package.json, pinned) and are served by the application.
# Only the files the pages use are published (diaodu.core.staticfiles.VendorFinder).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "diaodu.core.staticfiles.VendorFinder",
]
# Compressed, with content hashes in their names (cached for a year by browsers), served by
# WhiteNoise; in tests and development the plain storage, so nothing needs collecting.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "diaodu.core.staticfiles.PublishedStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("DIAODU_MEDIA_ROOT", str(VAR_DIR / "media")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": envint("DIAODU_API_PAGE_SIZE", 50),
    # The OpenAPI schema, with the errors each operation can answer with (400, 401, 403, 404).
    "DEFAULT_SCHEMA_CLASS": "diaodu.core.schema.AutoSchema",
    # So many requests a minute per user, and per address when signed out (diaodu.core.throttles).
    "DEFAULT_THROTTLE_CLASSES": [
        "diaodu.core.throttles.UserRateThrottle",
        "diaodu.core.throttles.AnonRateThrottle",
    ],
}


def _rate(name: str, default: str) -> str:
    """A rate as DRF writes it ("300/minute"), or "" for "off"."""
    value = envstr(name, default).strip().lower()
    if value == "off":
        return ""
    count, _, period = value.partition("/")
    if not count.isdigit() or period not in ("second", "minute", "hour", "day"):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, minute, hour or day, such as "
            f'"300/minute", or "off"; it is "{value}".'
        )
    return value


# The API's limits (diaodu.core.throttles): per signed-in user, and per address signed out.
DIAODU_API_RATE_USER = _rate("DIAODU_API_RATE_USER", "300/minute")
DIAODU_API_RATE_ANON = _rate("DIAODU_API_RATE_ANON", "30/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Diaodu API",
    "DESCRIPTION": "重点项目调度平台接口 (key-project scheduling and supervision)",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The schema describes the API, not its own download.
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for each choice set that shares a field name with another.
    "ENUM_NAME_OVERRIDES": {
        "ProjectCategoryEnum": "diaodu.projects.choices.Category",
        "ProblemCategoryEnum": "diaodu.problems.choices.ProblemCategory",
        "ReportingPeriodKindEnum": "diaodu.reporting.choices.PeriodKind",
        "AssessmentPeriodKindEnum": "diaodu.assessment.choices.PeriodKind",
        "UnitKindEnum": "diaodu.org.choices.UnitKind",
        "MeetingKindEnum": "diaodu.meetings.choices.MeetingKind",
        "ApprovalKindEnum": "diaodu.projects.choices.ApprovalKind",
        "FundingSourceEnum": "diaodu.projects.choices.FundingSource",
        "ProblemSourceEnum": "diaodu.problems.choices.ProblemSource",
        "TaskSourceEnum": "diaodu.problems.choices.TaskSource",
        "ReportStatusEnum": "diaodu.reporting.choices.ReportStatus",
        "ApprovalStatusEnum": "diaodu.projects.choices.ApprovalStatus",
        "ProblemStatusEnum": "diaodu.problems.choices.ProblemStatus",
        "EscalationLevelEnum": "diaodu.problems.choices.LEVEL_ORDER",
        "TaskStatusEnum": "diaodu.problems.choices.TaskStatus",
        "IndicatorEnum": "diaodu.assessment.choices.Indicator",
        "PhotoSourceEnum": "diaodu.core.choices.Source",
    },
}

# The ledger's page size.
DIAODU_PAGE_SIZE = envint("DIAODU_PAGE_SIZE", 50)

# Official documents (docs/documents.md): the issuing office's name (署名, 印发机关, and the red
# masthead's name), the abbreviation its document numbers start with (焦重办〔2026〕7号), and
# whether documents open with the red masthead (红头); DIAODU_PDF_TIMEOUT bounds a conversion
# to PDF with LibreOffice, when installed (seconds).
DIAODU_DOCUMENT_ISSUER = envstr("DIAODU_DOCUMENT_ISSUER", "焦作市重点项目建设指挥部办公室")
DIAODU_DOCUMENT_ABBREVIATION = envstr("DIAODU_DOCUMENT_ABBREVIATION", "焦重办")
DIAODU_DOCUMENT_MASTHEAD = envbool("DIAODU_DOCUMENT_MASTHEAD", True)
# Whom the bulletin is copied to (抄送 in its imprint), comma-separated.
DIAODU_DOCUMENT_COPIED_TO = envlist("DIAODU_DOCUMENT_COPIED_TO", "市委办公室,市政府办公室")
DIAODU_PDF_TIMEOUT = envint("DIAODU_PDF_TIMEOUT", 120, minimum=5)

# The OC4IDS export (diaodu/oc4ids): the project identifier prefix registered with the Open
# Contracting Partnership, oc4ids- and six letters or digits; a project's id is the prefix, a
# dash and its number.
DIAODU_OC4IDS_PREFIX = envstr("DIAODU_OC4IDS_PREFIX", "oc4ids-diaodu")
if not re.fullmatch(r"oc4ids-[a-z0-9]{6}", DIAODU_OC4IDS_PREFIX):
    raise ImproperlyConfigured(
        f"DIAODU_OC4IDS_PREFIX={DIAODU_OC4IDS_PREFIX!r} is not an OC4IDS project identifier "
        "prefix: oc4ids- and six lowercase letters or digits, such as oc4ids-bu3kcz."
    )

# Behind a proxy that terminates HTTPS (nginx): cookies over HTTPS only, the proxy's header
# trusted for the scheme, HSTS when asked for (docs/deploy.md).
SECURE_COOKIES = envbool("DIAODU_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
if envbool("DIAODU_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("DIAODU_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("DIAODU_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# The browsers' preload list is for public internet domains; an intranet name cannot be on it,
# so its deployment check is silenced unless DIAODU_HSTS_PRELOAD asks for the list.
SECURE_HSTS_PRELOAD = envbool("DIAODU_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The task queue (diaodu/celery.py). No broker: every task runs in-process when queued.
DIAODU_BROKER_URL = envstr("DIAODU_BROKER_URL")
CELERY_BROKER_URL = DIAODU_BROKER_URL or "memory://localhost/"  # unused: tasks run eagerly
CELERY_TASK_ALWAYS_EAGER = not DIAODU_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is run again (every task is idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("DIAODU_TASK_TIME_LIMIT", 1800, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The daily and monthly jobs (diaodu/*/tasks.py), in Beijing time.
    "open-periods": {"task": "diaodu.reporting.tasks.open_periods", "schedule": 60 * 60},
    "close-periods": {
        "task": "diaodu.reporting.tasks.close_periods",
        "schedule": crontab(hour=2, minute=0),
    },
    "refresh": {"task": "diaodu.monitoring.tasks.refresh", "schedule": crontab(hour=1, minute=0)},
    "snapshot": {
        "task": "diaodu.monitoring.tasks.snapshot",
        "schedule": crontab(hour=1, minute=30),
    },
    "remind": {"task": "diaodu.monitoring.tasks.remind", "schedule": crontab(hour=8, minute=30)},
    "check-kept": {
        "task": "diaodu.core.tasks.check_kept",
        "schedule": crontab(hour=4, minute=30),
    },
    "prune-audit": {
        "task": "diaodu.org.tasks.prune_audit",
        "schedule": crontab(hour=3, minute=30),
    },
    "digests": {
        "task": "diaodu.notifications.tasks.send_digests",
        "schedule": crontab(hour=17, minute=30),
    },
}
# `diaodu serve` (gunicorn): address, processes (0: two per core plus one), threads per
# process, seconds a request may take, and the proxies trusted for X-Forwarded-* headers.
DIAODU_WEB_HOST = envstr("DIAODU_WEB_HOST", "127.0.0.1")
DIAODU_WEB_PORT = envint("DIAODU_WEB_PORT", 8000, minimum=1)
DIAODU_WEB_WORKERS = envint("DIAODU_WEB_WORKERS", 0, minimum=0)
DIAODU_WEB_THREADS = envint("DIAODU_WEB_THREADS", 4, minimum=1)
DIAODU_WEB_TIMEOUT = envint("DIAODU_WEB_TIMEOUT", 60, minimum=5)
DIAODU_FORWARDED_ALLOW_IPS = envstr("DIAODU_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Periods close by themselves this many days after their due date (0: only by hand).
DIAODU_PERIOD_CLOSE_DAYS = envint("DIAODU_PERIOD_CLOSE_DAYS", 30, minimum=0)

# Logs (diaodu/core/logs.py) go to the console (the journal, `docker logs`), each line with the
# request id, user and unit; JSON lines with DIAODU_LOG_FORMAT=json. DIAODU_LOG_LEVEL is the
# level of Diaodu's own loggers; other libraries log warnings and above.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DIAODU_LOG_LEVEL = envchoice(
    "DIAODU_LOG_LEVEL", "INFO", LOG_LEVELS + tuple(level.lower() for level in LOG_LEVELS)
).upper()
DIAODU_LOG_FORMAT = envchoice("DIAODU_LOG_FORMAT", "text", ("text", "json"))
OTHER_LOG_LEVEL = max(DIAODU_LOG_LEVEL, "WARNING", key=LOG_LEVELS.index)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "diaodu.core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"()": "diaodu.core.logs.TextFormatter"},
        "json": {"()": "diaodu.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": DIAODU_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": OTHER_LOG_LEVEL},
    "loggers": {
        "diaodu": {"level": DIAODU_LOG_LEVEL},
        # Django's own console handler off, so that each record is written once, by ours.
        "django": {"handlers": [], "level": OTHER_LOG_LEVEL},
    },
}
# Celery's worker and beat log through LOGGING too (the same format, request ids included).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /health/ answers 503 when the disk of the uploaded files has less free space than this.
DIAODU_HEALTH_MIN_FREE_MB = envint("DIAODU_HEALTH_MIN_FREE_MB", 500, minimum=0)

# The reporting calendar: monthly reports are due on this day of the month; weekly and
# biweekly ones on this weekday (0 is Monday) of their last week.
DIAODU_MONTHLY_DUE_DAY = envint("DIAODU_MONTHLY_DUE_DAY", 25)
DIAODU_WEEKLY_DUE_WEEKDAY = envint("DIAODU_WEEKLY_DUE_WEEKDAY", 4)
# Photos attached to reports: the largest accepted, in megabytes.
DIAODU_PHOTO_MAX_MB = envint("DIAODU_PHOTO_MAX_MB", 10)
# Site photos are flagged (never refused) when taken farther than this from the project's
# location, or more than this many days before the report's period began (an inspection's
# photos: before the day of the visit).
DIAODU_PHOTO_MAX_DISTANCE_KM = envint("DIAODU_PHOTO_MAX_DISTANCE_KM", 5, minimum=0)
DIAODU_PHOTO_MAX_AGE_DAYS = envint("DIAODU_PHOTO_MAX_AGE_DAYS", 45, minimum=0)
# Uploaded Excel files: the largest accepted, in megabytes.
DIAODU_UPLOAD_MAX_MB = envint("DIAODU_UPLOAD_MAX_MB", 20)
# Office files (.xlsx, .docx) are zip archives: refused when they would inflate beyond this;
# an imported sheet beyond these rows or columns, minutes beyond these characters, too.
DIAODU_UPLOAD_MAX_UNZIPPED_MB = envint("DIAODU_UPLOAD_MAX_UNZIPPED_MB", 200)
DIAODU_IMPORT_MAX_ROWS = envint("DIAODU_IMPORT_MAX_ROWS", 100_000)
DIAODU_IMPORT_MAX_COLUMNS = envint("DIAODU_IMPORT_MAX_COLUMNS", 200)
DIAODU_MINUTES_MAX_CHARS = envint("DIAODU_MINUTES_MAX_CHARS", 200_000)
# Uploaded files are parsed in a child process whose memory may grow by at most this many
# megabytes and which is stopped after this many seconds (diaodu/core/isolation.py).
DIAODU_PARSE_MEMORY_MB = envint("DIAODU_PARSE_MEMORY_MB", 512, minimum=64)
DIAODU_PARSE_SECONDS = envint("DIAODU_PARSE_SECONDS", 60, minimum=1)
FILE_UPLOAD_HANDLERS = [
    "diaodu.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Warnings on problems and tasks: yellow when the deadline is this many days away or closer,
# or when a task has had no feedback for this many days; red once the deadline has passed.
DIAODU_WARNING_DAYS = envint("DIAODU_WARNING_DAYS", 3)
DIAODU_FEEDBACK_STALE_DAYS = envint("DIAODU_FEEDBACK_STALE_DAYS", 14)
# Reminders (the daily `remind` job): a filing is reminded this many days before its due date,
# on the day, and once late; anything late (a filing, a problem, a task) again every
# DIAODU_LATE_REPEAT_DAYS days while it stays late (0: once only).
DIAODU_FILING_REMIND_DAYS = envint("DIAODU_FILING_REMIND_DAYS", 3, minimum=0)
DIAODU_LATE_REPEAT_DAYS = envint("DIAODU_LATE_REPEAT_DAYS", 3, minimum=0)
# Notification channels beyond the in-app bell: dotted paths of functions that take the list
# of saved notifications (e.g. an email or chat sender).
DIAODU_NOTIFICATION_CHANNELS = envlist("DIAODU_NOTIFICATION_CHANNELS")

# Project lights (预警): the thresholds of the rules in diaodu/monitoring/lights.py.
# Investment: points behind the pro-rated plan (序时进度) that make a project yellow, and red.
DIAODU_LIGHT_INVESTMENT_YELLOW = envint("DIAODU_LIGHT_INVESTMENT_YELLOW", 10)
DIAODU_LIGHT_INVESTMENT_RED = envint("DIAODU_LIGHT_INVESTMENT_RED", 30)
# Start: months after the planned month before a project not started is red.
DIAODU_LIGHT_START_RED_MONTHS = envint("DIAODU_LIGHT_START_RED_MONTHS", 3)
# Milestones: days overdue that make one overdue milestone red.
DIAODU_LIGHT_MILESTONE_RED_DAYS = envint("DIAODU_LIGHT_MILESTONE_RED_DAYS", 30)
# Approvals (联审联批): working days before its time limit runs out when an approval in progress
# turns yellow (it turns red once past the limit), and its department is told.
DIAODU_APPROVAL_WARNING_DAYS = envint("DIAODU_APPROVAL_WARNING_DAYS", 3)
# Inspections: a report that claims more physical progress than inspectors saw, by more than
# this many percentage points, is shown as overstated (project page, dashboard, indicators).
DIAODU_PROGRESS_GAP = envint("DIAODU_PROGRESS_GAP", 10)
# Earned value and the forecast finish (diaodu/monitoring/forecast.py, docs/forecast.md): days
# by which a forecast finish may pass the planned completion before the project is flagged late;
# DIAODU_LIGHT_FORECAST makes a project flagged late at least yellow (off by default).
DIAODU_FORECAST_LATE_DAYS = envint("DIAODU_FORECAST_LATE_DAYS", 30, minimum=0)
DIAODU_LIGHT_FORECAST = envbool("DIAODU_LIGHT_FORECAST", False)
# The map's tile server, e.g. "https://tiles.example.gov.cn/{z}/{x}/{y}.png"; empty draws the
# projects on a plain background, so the map works with no internet.
DIAODU_MAP_TILES = envstr("DIAODU_MAP_TILES")
DIAODU_MAP_ATTRIBUTION = envstr("DIAODU_MAP_ATTRIBUTION")
# Content-Security-Policy of every page: scripts from this site only, no inline script or eval.
# Images may come from the map's tile server. DIAODU_CONTENT_SECURITY_POLICY replaces the whole
# policy (empty: the default below; "off": none, e.g. when the proxy sets it).
_TILE_ORIGIN = urlsplit(DIAODU_MAP_TILES.replace("{s}", "*"))
_TILE_SOURCE = f" {_TILE_ORIGIN.scheme}://{_TILE_ORIGIN.netloc}" if _TILE_ORIGIN.netloc else ""
DIAODU_CONTENT_SECURITY_POLICY = envstr("DIAODU_CONTENT_SECURITY_POLICY") or (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    f"img-src 'self' data: blob:{_TILE_SOURCE}; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
if DIAODU_CONTENT_SECURITY_POLICY == "off":
    DIAODU_CONTENT_SECURITY_POLICY = ""
# The browser's powerful features, all off except geolocation for this site.
DIAODU_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(self), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
# Uploaded files leave only through views that check access (diaodu/core/downloads.py). Behind
# nginx, set the prefix of its `internal` location that aliases DIAODU_MEDIA_ROOT (e.g.
# "/protected-media/"): the view answers with X-Accel-Redirect and nginx sends the file.
# Empty: the application streams the file itself.
DIAODU_MEDIA_ACCEL_PREFIX = envstr("DIAODU_MEDIA_ACCEL_PREFIX")

# Notification channels beyond the bell (diaodu/notifications/channels/, docs/notifications.md).
# The site's absolute address, to make the links in messages that leave it absolute.
DIAODU_SITE_URL = envstr("DIAODU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Seconds a channel waits for its peer (a robot, the SMS provider, a webhook, the mail server).
DIAODU_CHANNEL_TIMEOUT = envint("DIAODU_CHANNEL_TIMEOUT", 10, minimum=1)
# The deployment-wide group robots: they receive a unit's notices when it has none of its own.
DIAODU_DINGTALK_WEBHOOK = envstr("DIAODU_DINGTALK_WEBHOOK")
DIAODU_DINGTALK_SECRET = envstr("DIAODU_DINGTALK_SECRET")  # the robot's 加签 secret, SEC...
DIAODU_WECOM_WEBHOOK = envstr("DIAODU_WECOM_WEBHOOK")
# E-mail through an SMTP server. With no host: printed to the console in development; in
# production sent to the SMTP server on localhost (a local postfix), failing visibly if none.
EMAIL_HOST = envstr("DIAODU_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = envint("DIAODU_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("DIAODU_EMAIL_USER")
EMAIL_HOST_PASSWORD = envstr("DIAODU_EMAIL_PASSWORD")
EMAIL_USE_TLS = envbool("DIAODU_EMAIL_TLS")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = envbool("DIAODU_EMAIL_SSL")  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("DIAODU_EMAIL_TLS and DIAODU_EMAIL_SSL cannot both be true.")
EMAIL_TIMEOUT = DIAODU_CHANNEL_TIMEOUT
DEFAULT_FROM_EMAIL = SERVER_EMAIL = envstr("DIAODU_EMAIL_FROM", "diaodu@localhost")
# SMS through a provider ("aliyun": Alibaba Cloud SMS) with an approved signature and a
# notification template taking ${title} and ${link}; empty, no SMS is sent.
DIAODU_SMS_PROVIDER = envchoice("DIAODU_SMS_PROVIDER", "", ("", "aliyun"))
DIAODU_SMS_ACCESS_KEY_ID = envstr("DIAODU_SMS_ACCESS_KEY_ID")
DIAODU_SMS_ACCESS_KEY_SECRET = envstr("DIAODU_SMS_ACCESS_KEY_SECRET")
DIAODU_SMS_SIGN_NAME = envstr("DIAODU_SMS_SIGN_NAME")
DIAODU_SMS_TEMPLATE_CODE = envstr("DIAODU_SMS_TEMPLATE_CODE")
DIAODU_SMS_ENDPOINT = envstr("DIAODU_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
# The most characters of content passed to the template in one message (70: one SMS in Chinese).
DIAODU_SMS_MAX_CHARS = envint("DIAODU_SMS_MAX_CHARS", 70, minimum=10)
_sms_missing = [
    name
    for name in (
        "DIAODU_SMS_ACCESS_KEY_ID",
        "DIAODU_SMS_ACCESS_KEY_SECRET",
        "DIAODU_SMS_SIGN_NAME",
        "DIAODU_SMS_TEMPLATE_CODE",
    )
    if DIAODU_SMS_PROVIDER and not globals()[name]
]
if _sms_missing:
    raise ImproperlyConfigured(
        f"DIAODU_SMS_PROVIDER={DIAODU_SMS_PROVIDER} needs {', '.join(_sms_missing)}."
    )
# The outgoing webhook: every notice POSTed as JSON, signed with the secret (X-Diaodu-Signature).
DIAODU_WEBHOOK_URL = envstr("DIAODU_WEBHOOK_URL")
DIAODU_WEBHOOK_SECRET = envstr("DIAODU_WEBHOOK_SECRET")
for _name in ("DIAODU_DINGTALK_WEBHOOK", "DIAODU_WECOM_WEBHOOK", "DIAODU_WEBHOOK_URL"):
    if globals()[_name] and not globals()[_name].startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_name} must be an http:// or https:// address.")
