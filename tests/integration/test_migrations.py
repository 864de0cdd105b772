"""The schema on PostgreSQL 15: the test database is built by running every migration."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from ess.accounts.roles import Role

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_test_database_is_postgresql_15_with_every_migration_applied():
    assert connection.vendor == "postgresql"
    assert connection.pg_version // 10000 == 15
    assert connection.settings_dict["NAME"].startswith("test_")
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    applied = set(MigrationRecorder(connection).applied_migrations())
    assert set(executor.loader.graph.nodes) <= applied


def test_the_models_need_no_migration_that_is_not_written_yet():
    out = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"makemigrations --check found model changes:\n{out.getvalue()}")


def test_system_checks_pass_against_postgresql():
    # `databases` adds the checks that need a connection (e.g. backend-specific fields).
    call_command("check", databases=["default"], stdout=StringIO())


def test_the_data_migration_created_one_group_per_role():
    # pytest-django runs these non-transactional tests before the transactional ones, which
    # flush every table (the groups too) when they end.
    names = set(Group.objects.values_list("name", flat=True))
    assert {str(role) for role in Role} <= names
