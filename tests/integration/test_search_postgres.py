"""The search engine's tests on PostgreSQL (tsvector, GIN and pg_trgm): the same module the
SQLite suite runs, so both back-ends must behave alike."""

import pytest

from tests.search.test_engine import *  # noqa: F403 -- the shared tests and their fixtures

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
