"""Test settings: the real settings with the few changes that make tests fast and local."""

import os

os.environ.setdefault("SECURE_HTTPS", "false")
if not (os.environ.get("ESS_INTEGRATION_RUN_DIR") or os.environ.get("ESS_BENCH")):
    # The unit suite always runs on SQLite with eager Celery, whatever the shell exports;
    # tests/integration/run.py and bench/ set these on purpose.
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "SMTP_HOST"):
        os.environ.pop(name, None)

from ess.settings import *  # noqa: F403

# Static files come from the finders, so tests need no collectstatic run.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_RATE_LIMITS = False
# Serve static files from the app folders, as runserver does; no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
