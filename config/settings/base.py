"""Base settings, shared by every environment. Everything that differs comes from environment
variables with safe development defaults; production.py refuses to start without the secrets."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CIVICGRID_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``DATABASE_URL`` (sqlite:///path or postgres://user:pw@host:port/name)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////absolute/path, sqlite:///relative/path (to the repo root), sqlite:///:memory:
        path = unquote(parsed.path)
        if path in ("", "/", "/:memory:"):
            name = ":memory:"
        elif path.startswith("//"):
            name = path[1:]
        else:
            name = str(BASE_DIR / path.lstrip("/"))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "civicgrid",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "development-only-insecure-key-change-me-in-production-0123456789"
)
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # civicgrid.web first: its registration/ templates override django.contrib.admin's.
    "civicgrid.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "civicgrid.core",
    "civicgrid.territory",
    "civicgrid.accounts",
    "civicgrid.appeals",
    "civicgrid.registry",
    "civicgrid.plans",
    "civicgrid.indicators",
    "civicgrid.api",
    "civicgrid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civicgrid.web.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "civicgrid.core.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicgrid.web.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'civicgrid.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("CIVICGRID_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("CIVICGRID_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "civicgrid" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "civicgrid.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CivicGrid API",
    "DESCRIPTION": "社会治理综合信息平台 REST API (territory, departments, accounts).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # 红黄灯 and 督办: embedded set-ups without a broker run `civicgrid appeals sweep` from cron.
    "appeals-sweep-deadlines": {"task": "civicgrid.appeals.sweep_deadlines", "schedule": 15 * 60.0},
    # 统计汇总: the statistics rollup for the days whose appeals changed (cheap when few did).
    "appeals-refresh-statistics": {
        "task": "civicgrid.appeals.refresh_statistics",
        "schedule": 15 * 60.0,
    },
    # 到期提醒 of policy tasks: one reminder per task and day (re-running is a no-op).
    "plans-record-reminders": {"task": "civicgrid.plans.record_reminders", "schedule": 60 * 60.0},
    # 填报提醒: data sets due soon or overdue, once per report and kind (re-running is a no-op).
    "indicators-send-reminders": {
        "task": "civicgrid.indicators.reminders_send",
        "schedule": 6 * 60 * 60.0,
    },
}

CIVICGRID_TRUST_X_FORWARDED_FOR = env_bool("CIVICGRID_TRUST_X_FORWARDED_FOR", False)

# Point lookup keeps grid polygons in memory; changes made in this process rebuild it at once,
# changes made by other processes are noticed within this many seconds (one small query).
CIVICGRID_LOCATOR_CHECK_SECONDS = float(os.environ.get("CIVICGRID_LOCATOR_CHECK_SECONDS", "5"))

# Per-process caches of intake, in seconds (0: read the database every time): the time limits
# (办理时限) and, on POST/GET /api/appeals/, an accepted API token's user. A changed time limit,
# a deleted token or a deactivated user takes effect within this many seconds in each process.
CIVICGRID_TIME_LIMITS_CHECK_SECONDS = float(
    os.environ.get("CIVICGRID_TIME_LIMITS_CHECK_SECONDS", "5")
)
CIVICGRID_API_TOKEN_CHECK_SECONDS = float(os.environ.get("CIVICGRID_API_TOKEN_CHECK_SECONDS", "5"))

# Open311 GeoReport v2: API keys allowed to POST requests, POSTs per client IP per hour, contact.
CIVICGRID_OPEN311_API_KEYS = env_list("CIVICGRID_OPEN311_API_KEYS")
CIVICGRID_OPEN311_POST_LIMIT = int(os.environ.get("CIVICGRID_OPEN311_POST_LIMIT", "20"))
CIVICGRID_OPEN311_CONTACT = os.environ.get("CIVICGRID_OPEN311_CONTACT", "12345")

# The city this installation serves (division code); used by coordinate validation and demo data.
CIVICGRID_CITY_CODE = os.environ.get("CIVICGRID_CITY_CODE", "4404")

# Base registry: ID numbers are stored as a keyed hash (exact lookup) and Fernet ciphertext.
# Development derives fixed keys from the secret key; production sets both in the environment
# (``civicgrid check --deploy`` reports them missing). ENCRYPTION_KEYS: comma-separated Fernet
# keys, the first encrypts, all decrypt (rotation).
CIVICGRID_REGISTRY_HASH_KEY = os.environ.get("CIVICGRID_REGISTRY_HASH_KEY", "")
CIVICGRID_REGISTRY_ENCRYPTION_KEYS = os.environ.get("CIVICGRID_REGISTRY_ENCRYPTION_KEYS", "")
if not CIVICGRID_REGISTRY_HASH_KEY:
    CIVICGRID_REGISTRY_HASH_KEY = "dev-hash-" + SECRET_KEY
if not CIVICGRID_REGISTRY_ENCRYPTION_KEYS:
    import base64 as _base64
    import hashlib as _hashlib

    CIVICGRID_REGISTRY_ENCRYPTION_KEYS = _base64.urlsafe_b64encode(
        _hashlib.sha256(("dev-encryption-" + SECRET_KEY).encode()).digest()
    ).decode("ascii")

# Writer connections of a registry person import on PostgreSQL (ADR 0006): 2 suits two cores;
# a bigger database server takes more.
try:
    CIVICGRID_REGISTRY_IMPORT_WRITERS = int(
        os.environ.get("CIVICGRID_REGISTRY_IMPORT_WRITERS", "2")
    )
except ValueError as _error:
    raise ImproperlyConfigured(
        "CIVICGRID_REGISTRY_IMPORT_WRITERS must be a whole number (writer connections)"
    ) from _error
if not 1 <= CIVICGRID_REGISTRY_IMPORT_WRITERS <= 32:
    raise ImproperlyConfigured("CIVICGRID_REGISTRY_IMPORT_WRITERS must lie between 1 and 32")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
