"""The production settings pass Django's deployment checks, and bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ess.env import env_bool, env_int, env_json

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "ess.example.org",
    "SITE_URL": "https://ess.example.org",
    "SMTP_HOST": "mail.example.org",
    "DATABASE_URL": "postgres://ess:secret@db.example.org:5432/ess",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "CACHE_URL": "redis://redis.example.org:6379/1",
    "ESS_FIELD_KEYS": "7Yb0X7cYqgqk0qBWBq5s3cK3W0xqDq3vH1mQm1v3qXc=",
}


def _manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.pop("SECURE_HTTPS", None)
    env.update(extra_env, DJANGO_SETTINGS_MODULE="ess.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_the_development_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_check_deploy_refuses_the_console_mailer_in_production():
    env = {**PRODUCTION_ENV}
    del env["SMTP_HOST"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert result.returncode != 0
    assert "mail.E001" in result.stdout + result.stderr


def test_check_deploy_refuses_the_development_field_key():
    env = {**PRODUCTION_ENV}
    del env["ESS_FIELD_KEYS"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert result.returncode != 0
    assert "ess.E001" in result.stdout + result.stderr


def test_default_settings_need_no_configuration():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.MAILERS['default']['BACKEND'], s.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "ess.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "False",
    ]


@pytest.mark.parametrize(
    ("reader", "raw"),
    [(env_bool, "maybe"), (env_int, "eight"), (env_json, "{not json")],
)
def test_bad_environment_values_fail_loudly(monkeypatch, reader, raw):
    monkeypatch.setenv("ESS_TEST_VALUE", raw)
    with pytest.raises(ImproperlyConfigured, match="ESS_TEST_VALUE"):
        reader("ESS_TEST_VALUE", None)


def test_environment_booleans_accept_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("Yes", True), ("off", False), ("", False)]:
        monkeypatch.setenv("ESS_TEST_VALUE", raw)
        assert env_bool("ESS_TEST_VALUE") is expected
