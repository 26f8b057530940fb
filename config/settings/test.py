"""Settings for the test suite: fast hashing, in-memory caches, no network."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_from_url

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///:memory:"))}
if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CIVICGRID_TEST_SQLITE", "")}
    # In-memory test databases ignore WAL; keep options minimal.
    DATABASES["default"]["OPTIONS"] = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
STATIC_ROOT = Path(tempfile.gettempdir()) / "civicgrid-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
# Tests change admin units between calls: check the point-lookup cache every time.
CIVICGRID_LOCATOR_CHECK_SECONDS = 0.0
# Tests train and activate routers: check the active router on every intake.
CIVICGRID_ROUTER_CHECK_SECONDS = 0.0
# Tests write calendar rows directly: no per-process working-day cache.
CIVICGRID_CALENDAR_CHECK_SECONDS = 0.0
# Tests change the appeal settings row directly: read it on every call.
CIVICGRID_APPEAL_SETTINGS_CHECK_SECONDS = 0.0
# Tests change time limits directly: read them on every intake.
CIVICGRID_TIME_LIMITS_CHECK_SECONDS = 0.0
# Tests delete tokens and deactivate users: check the token on every request.
CIVICGRID_API_TOKEN_CHECK_SECONDS = 0.0
