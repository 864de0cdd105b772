"""Health probes for the load balancer: database, cache and (when configured) the broker."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    from ess.celery import app

    with app.connection_for_write() as conn:
        # No retry: a load balancer wants a quick answer, not a patient one.
        conn.ensure_connection(max_retries=0, timeout=2)


def run_checks() -> dict[str, str]:
    checks = {"database": check_database, "cache": check_cache}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = "error"
        else:
            results[name] = "ok"
    return results
