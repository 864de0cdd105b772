"""Reads for the compliance report: who acknowledged what, counted in the database."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ess.accounts.models import User
from hr.models import Employee
from policies.models import AcknowledgementRequest, Policy
from policies.permissions import can_read_all_compliance, can_read_compliance, require


def report_user_ids(manager: User) -> set[int]:
    """Direct and indirect reports of a manager: one query per level of the org chart."""
    found: set[int] = set()
    frontier = set(Employee.objects.filter(user=manager).values_list("pk", flat=True))
    seen_employees = set(frontier)
    while frontier:
        rows = list(Employee.objects.filter(manager_id__in=frontier).values_list("pk", "user_id"))
        frontier = {pk for pk, _user in rows} - seen_employees
        seen_employees |= frontier
        found |= {user_id for _pk, user_id in rows}
    return found


@dataclass(frozen=True)
class Scope:
    """What part of the company a viewer's figures cover."""

    all_people: bool
    user_ids: frozenset[int] = frozenset()
    policy_ids: frozenset[int] | None = None  # None: every policy

    def requests(self, queryset: QuerySet[AcknowledgementRequest]):
        if self.policy_ids is not None:
            queryset = queryset.filter(version__policy_id__in=self.policy_ids)
        return queryset if self.all_people else queryset.filter(user_id__in=self.user_ids)


def scope_for(viewer: User) -> Scope:
    require(can_read_compliance(viewer))
    if can_read_all_compliance(viewer):
        return Scope(all_people=True)
    owned = frozenset(viewer.owned_policies.values_list("pk", flat=True))
    reports = frozenset(report_user_ids(viewer))
    if owned and not reports:
        return Scope(all_people=True, policy_ids=owned)
    # A manager sees their own people; an owner who also manages sees their own people too.
    return Scope(all_people=False, user_ids=reports)


def _status_counts(today: datetime.date) -> dict:
    open_ = Q(acknowledged_at__isnull=True)
    return {
        "total": Count("pk"),
        "acknowledged": Count("pk", filter=Q(acknowledged_at__isnull=False)),
        "pending": Count("pk", filter=open_ & Q(due_date__gte=today)),
        "overdue": Count("pk", filter=open_ & Q(due_date__lt=today)),
    }


def compliance_by_policy(*, viewer: User, today: datetime.date | None = None) -> list[dict]:
    """One row per policy with a campaign: its major version and the four counts."""
    today = today or timezone.localdate()
    scope = scope_for(viewer)
    requests = scope.requests(
        AcknowledgementRequest.objects.filter(version__policy__acknowledgement_version=F("version"))
    )
    rows = list(
        requests.values(
            "version__policy_id",
            "version__policy__title",
            "version__policy__slug",
            "version__number",
            "version__acknowledge_by",
        )
        .annotate(**_status_counts(today))
        .order_by("version__policy__title")
    )
    for row in rows:
        row["rate"] = round(100 * row["acknowledged"] / row["total"], 1) if row["total"] else 0.0
    return rows


def policy_for_report(*, viewer: User, slug: str) -> Policy:
    scope = scope_for(viewer)
    policies = Policy.objects.filter(acknowledgement_version__isnull=False)
    if scope.policy_ids is not None:
        policies = policies.filter(pk__in=scope.policy_ids)
    return get_object_or_404(policies.select_related("acknowledgement_version"), slug=slug)


def requests_for_policy(*, viewer: User, policy: Policy) -> QuerySet[AcknowledgementRequest]:
    return scope_for(viewer).requests(
        AcknowledgementRequest.objects.filter(version=policy.acknowledgement_version)
    )


def breakdown(
    *, viewer: User, policy: Policy, by: str, today: datetime.date | None = None
) -> list[dict]:
    """The counts for one policy by department or by location."""
    field = {
        "department": "user__employee__department__name",
        "location": "user__employee__location__name",
    }[by]
    today = today or timezone.localdate()
    return list(
        requests_for_policy(viewer=viewer, policy=policy)
        .values(group=F(field))
        .annotate(**_status_counts(today))
        .order_by("group")
    )


def completion_over_time(*, viewer: User, policy: Policy) -> list[tuple[datetime.date, int, float]]:
    """(day, acknowledged so far, % of the campaign) from publication to today."""
    requests = requests_for_policy(viewer=viewer, policy=policy)
    total = requests.count()
    per_day = dict(
        requests.filter(acknowledged_at__isnull=False)
        .annotate(day=TruncDate("acknowledged_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    start = policy.acknowledgement_version.published_at
    start_day = timezone.localdate(start) if start else min(per_day, default=timezone.localdate())
    days, running, day = [], 0, start_day
    today = timezone.localdate()
    while day <= today and len(days) < 366:
        running += per_day.get(day, 0)
        days.append((day, running, round(100 * running / total, 1) if total else 0.0))
        day += datetime.timedelta(days=1)
    return days
