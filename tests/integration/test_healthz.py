"""/healthz against the real broker: what the load balancer sees."""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_healthz_reports_database_cache_and_broker_ok_while_redis_is_up(client, broker):
    assert broker.url == settings.CELERY_BROKER_URL

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_healthz_reports_the_broker_as_an_error_while_redis_is_down(client, broker):
    broker.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "ok", "broker": "error"},
    }
