"""Reads for policies: who is in an audience, what someone may read, what they must sign."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ess.accounts.models import User
from hr.models import Department, Employee
from policies.models import Acknowledgement, AcknowledgementRequest, Policy, PolicyVersion
from policies.permissions import can_edit_policies, require


def audience_users(policy: Policy) -> QuerySet[User]:
    """Active employees the policy applies to: everyone, or anyone in one of its
    departments (sub-departments included), locations or roles."""
    people = User.objects.filter(is_active=True, employee__isnull=False)
    if policy.audience_everyone:
        return people
    department_ids = _with_subdepartments(
        set(policy.audience_departments.values_list("pk", flat=True))
    )
    return people.filter(
        Q(employee__department_id__in=department_ids)
        | Q(employee__location__in=policy.audience_locations.all())
        | Q(groups__in=policy.audience_roles.all())
    ).distinct()


def _with_subdepartments(department_ids: set[int]) -> set[int]:
    found, frontier = set(department_ids), set(department_ids)
    while frontier:  # one query per tree level, not per department
        frontier = (
            set(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def is_in_audience(policy: Policy, user: User) -> bool:
    return audience_users(policy).filter(pk=user.pk).exists()


def policies_for_reader(*, user: User) -> QuerySet[Policy]:
    """Published policies the person may read, with their open request (if any) annotated."""
    published = Policy.objects.filter(current_version__isnull=False).select_related(
        "current_version", "acknowledgement_version"
    )
    pending = AcknowledgementRequest.objects.filter(
        user=user,
        acknowledged_at__isnull=True,
        version_id=OuterRef("acknowledgement_version_id"),
    )
    published = published.annotate(to_acknowledge=Exists(pending))
    if can_edit_policies(user):
        return published
    everyone = Q(audience_everyone=True)
    requested = Q(
        pk__in=AcknowledgementRequest.objects.filter(user=user).values("version__policy_id")
    )
    employee = Employee.objects.filter(user=user).first()
    if employee is None:
        return published.filter(everyone | requested)
    departments = Q(audience_departments=employee.department_id)
    locations = Q(audience_locations=employee.location_id)
    roles = Q(audience_roles__in=user.groups.all())
    return published.filter(everyone | requested | departments | locations | roles).distinct()


def policy_for_reader(*, user: User, slug: str) -> Policy:
    return get_object_or_404(policies_for_reader(user=user), slug=slug)


def policy_for_viewer(*, user: User, slug: str) -> Policy:
    """Readers reach published policies in their audience; editors every policy."""
    if can_edit_policies(user):
        return get_object_or_404(Policy, slug=slug)
    return policy_for_reader(user=user, slug=slug)


def version_for_reader(*, user: User, policy: Policy, number: int) -> PolicyVersion:
    """Readers see published and retired versions; editors also drafts and reviews."""
    versions = policy.versions.all()
    if not can_edit_policies(user):
        versions = versions.filter(
            status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.RETIRED]
        )
    return get_object_or_404(versions, number=number)


def version_history(*, user: User, policy: Policy) -> QuerySet[PolicyVersion]:
    versions = policy.versions.select_related("author", "reviewer")
    if not can_edit_policies(user):
        versions = versions.filter(
            status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.RETIRED]
        )
    return versions


def open_requests(*, user: User) -> QuerySet[AcknowledgementRequest]:
    return AcknowledgementRequest.objects.filter(
        user=user, acknowledged_at__isnull=True
    ).select_related("version__policy")


def open_request_count(user: User) -> int:
    return AcknowledgementRequest.objects.filter(user=user, acknowledged_at__isnull=True).count()


def has_acknowledged_current(*, user: User, policy: Policy) -> Acknowledgement | None:
    """The person's acknowledgement that still counts (of the major version or later)."""
    anchor = policy.acknowledgement_version
    if anchor is None:
        return None
    return (
        Acknowledgement.objects.filter(
            user=user, version__policy=policy, version__number__gte=anchor.number
        )
        .select_related("version")
        .order_by("-acknowledged_at")
        .first()
    )


def policies_for_editor(*, user: User) -> QuerySet[Policy]:
    require(can_edit_policies(user))
    return Policy.objects.select_related("owner", "current_version").prefetch_related("versions")


def stale_policies(*, owner: User | None = None, today: datetime.date | None = None):
    today = today or timezone.localdate()
    stale = Policy.objects.filter(current_version__review_by__lt=today).select_related(
        "current_version", "owner"
    )
    return stale.filter(owner=owner) if owner else stale


def can_read_version(user: User, version: PolicyVersion) -> bool:
    """The pages' own rule, for attachments: a readable policy and a version the reader
    may see (editors also see drafts)."""
    if not policies_for_reader(user=user).filter(pk=version.policy_id).exists():
        return can_edit_policies(user)
    return can_edit_policies(user) or version.status in (
        PolicyVersion.Status.PUBLISHED,
        PolicyVersion.Status.RETIRED,
    )
