import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import Role
from ess.accounts.services import role_membership_sync
from hr.models import Employee
from hr.services import employee_set_manager, manager_role_sync
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_manager_role_follows_direct_reports():
    boss = EmployeeFactory()
    report = EmployeeFactory()
    employee_set_manager(employee=report, manager=boss)
    assert boss.user.has_role(Role.MANAGER)
    employee_set_manager(employee=report, manager=None)
    boss.user.refresh_from_db()
    del boss.user.role_names
    assert not boss.user.has_role(Role.MANAGER)


def test_reporting_loop_is_refused():
    top = EmployeeFactory()
    middle = EmployeeFactory(manager=top)
    with pytest.raises(ValidationError, match="reporting loop"):
        employee_set_manager(employee=top, manager=middle)


def test_manager_role_sync_reports_what_changed():
    boss = EmployeeFactory()
    EmployeeFactory(manager=boss)
    assert manager_role_sync() == (1, 0)
    assert manager_role_sync() == (0, 0)


def test_seed_demo_builds_the_company_deterministically(capsys):
    call_command("seed_demo", "--seed", "7")
    out = capsys.readouterr().out
    assert "Northwind Logistics is ready" in out
    for role in Role:
        assert f"  {role.value}" in out
    employees = Employee.objects.count()
    assert 140 <= employees <= 165
    assert Employee.objects.filter(manager__isnull=True).count() == 1
    assert set(Employee.objects.values_list("location__name", flat=True)) == {
        "Rotterdam",
        "Milan",
        "Oslo",
    }
    hanna = User.objects.get(email="hanna.hr@northwind.example")
    assert hanna.has_role(Role.HR_OFFICER)
    assert RoleGrant.objects.get(user=hanna).role == "hr_officer"
    assert role_membership_sync(user=hanna) == (set(), set())  # grants and groups agree
    emma = Employee.objects.get(user__email="emma.employee@northwind.example")
    assert emma.manager.user.email == "mila.manager@northwind.example"
    assert emma.manager.user.has_role(Role.MANAGER)
    first_names = list(Employee.objects.order_by("pk").values_list("user__email", flat=True)[:20])

    call_command("seed_demo", "--if-empty")
    assert "already loaded" in capsys.readouterr().out
    assert Employee.objects.count() == employees
    assert first_names == list(
        Employee.objects.order_by("pk").values_list("user__email", flat=True)[:20]
    )


def test_the_nightly_rebuild_repairs_paths_that_bypassed_save(db):
    from hr.models import Employee
    from hr.tasks import rebuild_org_paths
    from tests.factories import EmployeeFactory

    boss = EmployeeFactory()
    report = EmployeeFactory(manager=boss)
    # A bulk write (or a manager deleted under SET_NULL) changes the line without save().
    Employee.objects.filter(pk=report.pk).update(manager=None)
    assert rebuild_org_paths.delay().get() == 1
    report.refresh_from_db()
    assert report.org_path == f"{report.pk:09d}"
    assert rebuild_org_paths.delay().get() == 0
