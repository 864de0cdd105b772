import pytest
from django.contrib.auth.models import Group

from ess.accounts.object_permissions import (
    object_permission_grant,
    object_permission_revoke,
    objects_granted_to,
)
from ess.audit.models import AuditEvent
from hr.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_grant_on_one_object_reaches_only_that_object(
    employee, admin_user, django_assert_max_num_queries
):
    shared, other = DepartmentFactory(), DepartmentFactory()
    object_permission_grant(perm="hr.change_department", obj=shared, to=employee, actor=admin_user)
    assert employee.has_perm("hr.change_department", shared)
    assert not employee.has_perm("hr.change_department", other)
    assert not employee.has_perm("hr.change_department")  # no global permission
    # the permission row, then the objects filtered by user and group grants: not per row
    with django_assert_max_num_queries(2):
        visible = list(
            objects_granted_to(
                user=employee, perm="hr.change_department", queryset=Department.objects.all()
            )
        )
    assert visible == [shared]
    assert AuditEvent.objects.filter(
        action="permission.granted", target_id=str(shared.pk), actor=admin_user
    ).exists()


def test_group_grant_and_revoke(employee, admin_user):
    team = Group.objects.create(name="confidential-cases")
    employee.groups.add(team)
    case = DepartmentFactory()
    object_permission_grant(perm="hr.view_department", obj=case, to=team, actor=admin_user)
    assert employee.has_perm("hr.view_department", case)
    object_permission_revoke(perm="hr.view_department", obj=case, to=team, actor=admin_user)
    employee = type(employee).objects.get(pk=employee.pk)
    assert not employee.has_perm("hr.view_department", case)
    assert AuditEvent.objects.filter(action="permission.revoked").exists()
