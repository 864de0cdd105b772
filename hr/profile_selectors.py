"""Reads for personal data and change requests; each one decides who may see what."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from ess.accounts.models import User
from hr.models import ChangeRequest, Compensation, Employee, PersonalProfile, ProfileChange
from hr.permissions import is_hr

Status = ChangeRequest.Status


def employee_with_private_data(*, user: User) -> Employee | None:
    """The signed-in person's record with everything My profile shows, in two queries."""
    return (
        Employee.objects.select_related("department", "location", "manager__user", "profile")
        .prefetch_related("emergency_contacts")
        .filter(user=user)
        .first()
    )


def employee_record_for_hr(*, user: User, pk: int) -> Employee:
    """Someone's full HR record, for HR only: 403 for everyone else (they know HR exists)."""
    if not is_hr(user):
        raise PermissionDenied
    employee = (
        Employee.objects.select_related(
            "user", "department", "location", "manager__user", "profile"
        )
        .prefetch_related("emergency_contacts")
        .filter(pk=pk)
        .first()
    )
    if employee is None:
        raise Http404
    return employee


def current_compensation(*, employee: Employee) -> Compensation | None:
    return (
        employee.compensations.filter(effective_from__lte=timezone.localdate())
        .order_by("-effective_from")
        .first()
    )


def profile_of(employee: Employee) -> PersonalProfile | None:
    try:
        return employee.profile
    except PersonalProfile.DoesNotExist:
        return None


def change_requests_of(*, employee: Employee, limit: int = 20) -> list[ChangeRequest]:
    return list(employee.change_requests.order_by("-submitted_at")[:limit])


def profile_history(*, employee: Employee) -> QuerySet[ProfileChange]:
    return employee.profile_changes.select_related("changed_by", "request")


def change_request_for_user(*, user: User, pk: int) -> ChangeRequest:
    """The request if `user` filed it or works in HR; 404 otherwise (no hint it exists)."""
    queryset = ChangeRequest.objects.select_related(
        "employee__user", "employee__department", "submitted_by", "decided_by"
    )
    if not is_hr(user):
        queryset = queryset.filter(employee__user=user)
    request = queryset.filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def can_read_change_request(user: User, request: ChangeRequest) -> bool:
    return request.employee.user_id == user.pk or is_hr(user)


def change_request_comments(request: ChangeRequest):
    return request.comments.select_related("author")


def change_request_queue(*, user: User) -> QuerySet[ChangeRequest]:
    if not is_hr(user):
        return ChangeRequest.objects.none()
    return ChangeRequest.objects.select_related(
        "employee__user", "employee__department", "decided_by"
    ).annotate(comment_count=Count("comments"))


def change_request_queue_count(user: User) -> int:
    """Requests waiting for HR (the home tile badge)."""
    if not is_hr(user):
        return 0
    return ChangeRequest.objects.filter(status=Status.PENDING).count()
