"""Writes for policies: the version workflow, acknowledgement campaigns and reminders."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Max, OuterRef, Subquery, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ess.accounts.models import User
from ess.audit.client import client_ip
from ess.audit.services import audit_record
from ess.notifications.services import notify
from ess.search.services import index_refresh_on_commit
from hr.models import Department, Employee, Location
from policies.models import (
    Acknowledgement,
    AcknowledgementRequest,
    ComplianceRollup,
    Policy,
    PolicyVersion,
)
from policies.selectors import audience_users

Status = PolicyVersion.Status

# Which status each action moves a version from, and to.
TRANSITIONS = {
    "submit": (Status.DRAFT, Status.IN_REVIEW),
    "approve": (Status.IN_REVIEW, Status.APPROVED),
    "reject": (Status.IN_REVIEW, Status.DRAFT),
    "publish": (Status.APPROVED, Status.PUBLISHED),
    "retire": (Status.PUBLISHED, Status.RETIRED),
}

ACTION_PAST = {
    "submit": gettext_lazy("submitted for review"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("sent back"),
    "publish": gettext_lazy("published"),
    "retire": gettext_lazy("retired"),
}


@transaction.atomic
def policy_create(
    *,
    title: str,
    slug: str,
    category: str,
    owner: User,
    actor: User,
    audience_everyone: bool = True,
    departments: list[Department] = (),
    locations: list[Location] = (),
    roles: list[Group] = (),
) -> Policy:
    policy = Policy(
        title=title, slug=slug, category=category, owner=owner, audience_everyone=audience_everyone
    )
    policy.full_clean()
    policy.save()
    policy.audience_departments.set(departments)
    policy.audience_locations.set(locations)
    policy.audience_roles.set(roles)
    audit_record(actor=actor, action="policy.created", target=policy)
    return policy


@transaction.atomic
def version_draft(
    *,
    policy: Policy,
    body: str,
    change_summary: str,
    significance: str,
    effective_date: datetime.date,
    review_by: datetime.date,
    author: User,
) -> PolicyVersion:
    number = (policy.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = PolicyVersion(
        policy=policy,
        number=number,
        body=body,
        change_summary=change_summary,
        significance=significance,
        effective_date=effective_date,
        review_by=review_by,
        author=author,
    )
    version.full_clean()
    version.save()
    audit_record(
        actor=author, action="policy.version_drafted", target=policy, detail={"version": number}
    )
    return version


def _move(version: PolicyVersion, action: str, actor: User, **fields) -> PolicyVersion:
    """Apply one workflow step, refusing it unless the version is where the step starts.

    The status check is part of the UPDATE, so two people pressing at once cannot both win.
    """
    source, target = TRANSITIONS[action]
    updated = PolicyVersion.objects.filter(pk=version.pk, status=source).update(
        status=target, **fields
    )
    if not updated:
        version.refresh_from_db(fields=["status"])
        raise ValidationError(
            _("Version %(number)s is %(status)s, so it cannot be %(action)s.")
            % {
                "number": version.number,
                "status": version.get_status_display().lower(),
                "action": ACTION_PAST[action],
            },
            code="illegal_transition",
        )
    version.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"policy.version_{action}",
        target=version.policy,
        detail={"version": version.number},
    )
    return version


@transaction.atomic
def version_submit(*, version: PolicyVersion, actor: User) -> PolicyVersion:
    return _move(version, "submit", actor, submitted_at=timezone.now())


@transaction.atomic
def version_approve(*, version: PolicyVersion, reviewer: User, comment: str = "") -> PolicyVersion:
    if reviewer.pk == version.author_id:
        raise ValidationError(_("The author cannot review their own version."), code="self_review")
    return _move(
        version,
        "approve",
        reviewer,
        reviewer=reviewer,
        review_comment=comment,
        approved_at=timezone.now(),
    )


@transaction.atomic
def version_reject(*, version: PolicyVersion, reviewer: User, comment: str) -> PolicyVersion:
    if reviewer.pk == version.author_id:
        raise ValidationError(_("The author cannot review their own version."), code="self_review")
    if not comment.strip():
        raise ValidationError(_("Say what needs to change."), code="comment_required")
    return _move(version, "reject", reviewer, reviewer=reviewer, review_comment=comment)


@transaction.atomic
def version_publish(
    *,
    version: PolicyVersion,
    actor: User,
    acknowledge_by: datetime.date | None = None,
    notify_people: bool = True,
) -> PolicyVersion:
    """Publish an approved version. A major version starts an acknowledgement campaign."""
    policy = Policy.objects.select_for_update().get(pk=version.policy_id)
    previous = policy.current_version
    is_major = version.significance == PolicyVersion.Significance.MAJOR
    if is_major:
        acknowledge_by = acknowledge_by or (
            timezone.localdate() + datetime.timedelta(days=settings.ESS_POLICY_ACK_DAYS)
        )
    version = _move(
        version,
        "publish",
        actor,
        published_at=timezone.now(),
        acknowledge_by=acknowledge_by if is_major else None,
    )
    if previous is not None and previous.pk != version.pk:
        _move(previous, "retire", actor, retired_at=timezone.now())
    policy.current_version = version
    if is_major or policy.acknowledgement_version is None:
        policy.acknowledgement_version = version
    policy.save(update_fields=["current_version", "acknowledgement_version"])
    if policy.acknowledgement_version_id == version.pk:
        campaign_sync(policy=policy, notify_people=notify_people)
    index_refresh_on_commit(doc_type="policy", keys=[f"policy:{policy.slug}"])
    return version


def campaign_sync(
    *, policy: Policy, today: datetime.date | None = None, notify_people: bool = True
) -> int:
    """Ask everyone in the audience who has no request for the current major version yet.

    Runs at publication and daily (people who join the audience later). Returns how many
    requests it created; notifications go out after commit, once per request.
    """
    version = policy.acknowledgement_version
    if version is None:
        return 0
    today = today or timezone.localdate()
    due = max(version.acknowledge_by or today, today + datetime.timedelta(days=7))
    already = AcknowledgementRequest.objects.filter(version=version).values("user_id")
    # Someone who acknowledged this version or a later one needs nothing.
    done = Acknowledgement.objects.filter(
        version__policy=policy, version__number__gte=version.number
    ).values("user_id")
    newcomers = list(
        audience_users(policy)
        .exclude(pk__in=already)
        .exclude(pk__in=done)
        .values_list("pk", "employee__department_id", "employee__location_id")
    )
    AcknowledgementRequest.objects.bulk_create(
        [
            AcknowledgementRequest(
                version=version,
                user_id=uid,
                due_date=due,
                department_id=department_id,
                location_id=location_id,
            )
            for uid, department_id, location_id in newcomers
        ],
        batch_size=2000,
    )
    _refresh_workplaces(version)
    rollup_refresh(version_id=version.pk)
    new_ids = [uid for uid, _department, _location in newcomers]
    if new_ids and notify_people:
        from policies.tasks import send_acknowledgement_requests

        transaction.on_commit(lambda: send_acknowledgement_requests.delay(version.pk, new_ids))
    return len(new_ids)


def _refresh_workplaces(version: PolicyVersion) -> None:
    """Open requests follow people who moved department or office since they were asked."""
    employee = Employee.objects.filter(user_id=OuterRef("user_id"))
    AcknowledgementRequest.objects.filter(version=version, acknowledged_at__isnull=True).update(
        department_id=Subquery(employee.values("department_id")[:1]),
        location_id=Subquery(employee.values("location_id")[:1]),
    )


def rollup_refresh(*, version_id: int) -> None:
    """Recount one version's requests into ComplianceRollup (idempotent, ~10 ms at 10,000)."""
    groups = (
        AcknowledgementRequest.objects.filter(version_id=version_id)
        .annotate(
            done=Case(
                When(acknowledged_at__isnull=False, then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
        .values("department_id", "location_id", "due_date", "done")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        ComplianceRollup(
            version_id=version_id,
            department_id=g["department_id"],
            location_id=g["location_id"],
            due_date=g["due_date"],
            is_acknowledged=g["done"],
            requests=g["n"],
        )
        for g in groups
    ]
    with transaction.atomic():
        ComplianceRollup.objects.filter(version_id=version_id).delete()
        ComplianceRollup.objects.bulk_create(rows)


def requests_notify(*, version_id: int, user_ids: list[int]) -> int:
    version = PolicyVersion.objects.select_related("policy").get(pk=version_id)
    url = reverse("policies:detail", args=[version.policy.slug])
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        notify(
            recipient=user,
            kind="policy_acknowledgement",
            title=_("Please read and acknowledge: %(title)s") % {"title": version.policy.title},
            body=version.change_summary,
            url=url,
            dedupe_key=f"policy-request:{version.pk}:{user.pk}",
        )
        sent += 1
    return sent


@transaction.atomic
def acknowledge(
    *,
    user: User,
    policy: Policy,
    version_number: int,
    text_sha256: str,
    request: HttpRequest | None = None,
) -> Acknowledgement:
    """Record that the person accepted the version they were shown.

    The hash of the text they saw must match the current version, so an acknowledgement
    can never be bound to text the person did not see.
    """
    version = policy.current_version
    if version is None or version.number != version_number or version.text_sha256 != text_sha256:
        raise ValidationError(
            _(
                "This policy changed while you were reading it. Please read the current "
                "version and acknowledge again."
            ),
            code="stale_version",
        )
    existing = Acknowledgement.objects.filter(user=user, version=version).first()
    if existing:
        return existing
    ack = Acknowledgement.objects.create(
        user=user,
        version=version,
        text_sha256=text_sha256,
        ip_address=client_ip(request) if request else None,
    )
    AcknowledgementRequest.objects.filter(
        user=user,
        acknowledged_at__isnull=True,
        version__policy=policy,
        version__number__lte=version.number,
    ).update(
        acknowledged_at=ack.acknowledged_at,
        acknowledged_on=timezone.localdate(ack.acknowledged_at),
    )
    anchor_id = policy.acknowledgement_version_id
    transaction.on_commit(lambda: _queue_rollup(anchor_id))
    audit_record(
        actor=user,
        action="policy.acknowledged",
        target=policy,
        request=request,
        detail={"version": version.number},
    )
    return ack


def _queue_rollup(version_id: int | None) -> None:
    from policies.tasks import refresh_compliance_rollup

    if version_id is None:
        return
    try:
        refresh_compliance_rollup.delay(version_id)
    except Exception:  # broker away: the daily campaign sync recounts every version
        rollup_refresh(version_id=version_id)


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind people with open requests every ESS_POLICY_REMINDER_DAYS, never twice a day."""
    today = today or timezone.localdate()
    cadence = datetime.timedelta(days=settings.ESS_POLICY_REMINDER_DAYS)
    due_for_reminder = (
        AcknowledgementRequest.objects.filter(
            acknowledged_at__isnull=True,
            user__is_active=True,
            version__status=PolicyVersion.Status.PUBLISHED,
        )
        .exclude(last_reminded_on__gt=today - cadence)
        .exclude(last_reminded_on__isnull=True, requested_at__date__gt=today - cadence)
        .select_related("user", "version__policy")
    )
    sent = 0
    for item in due_for_reminder.iterator(chunk_size=500):
        overdue = item.due_date < today
        notify(
            recipient=item.user,
            kind="policy_acknowledgement",
            title=(
                _("Overdue: please acknowledge %(title)s")
                if overdue
                else _("Reminder: please acknowledge %(title)s")
            )
            % {"title": item.version.policy.title},
            url=reverse("policies:detail", args=[item.version.policy.slug]),
            dedupe_key=f"policy-reminder:{item.pk}:{today.isoformat()}",
        )
        sent += (
            AcknowledgementRequest.objects.filter(pk=item.pk)
            .exclude(last_reminded_on=today)
            .update(last_reminded_on=today)
        )
    return sent


def campaigns_sync_all(*, today: datetime.date | None = None) -> int:
    created = 0
    for policy in Policy.objects.filter(acknowledgement_version__isnull=False).select_related(
        "acknowledgement_version"
    ):
        with transaction.atomic():
            created += campaign_sync(policy=policy, today=today)
    return created


def stale_reminders_send(*, today: datetime.date | None = None) -> int:
    """Weekly: tell each owner which of their policies are past the review date."""
    from policies.selectors import stale_policies

    today = today or timezone.localdate()
    week = today.isocalendar()
    sent = 0
    for policy in stale_policies(today=today):
        notify(
            recipient=policy.owner,
            kind="content_review",
            title=_("Review overdue: %(title)s") % {"title": policy.title},
            body=_("The review date was %(date)s.") % {"date": policy.current_version.review_by},
            url=reverse("policies:detail", args=[policy.slug]),
            dedupe_key=f"policy-stale:{policy.pk}:{week.year}-{week.week}",
        )
        sent += 1
    return sent
