"""Writes for benefits: the plan catalogue, elections, dependents, life events, approvals.

Every decision and every change of an election is audited; the employee is notified of
each decision. Decisions move a status with a conditional UPDATE, so of two people deciding
at once exactly one wins and the other is told the request was already decided.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.content.attachments import attachment_add
from ess.notifications.services import notify
from hr.benefits import selectors
from hr.benefits.eligibility import department_parents, is_eligible
from hr.benefits.models import (
    LIFE_EVENT_CHANGE_DAYS,
    LIFE_EVENT_REPORT_DAYS_AFTER,
    LIFE_EVENT_REPORT_DAYS_BEFORE,
    CoverageLevel,
    Dependent,
    Election,
    EnrolmentWindow,
    LifeEvent,
    Plan,
)
from hr.benefits.permissions import can_manage_benefits, is_in_manager_chain
from hr.models import Department, Employee, Location

DECISION_KIND = "benefits_decision"
TEAM_APPROVAL_KIND = "benefits_team_approval"


def _require_hr(actor: User) -> None:
    if not can_manage_benefits(actor):
        raise PermissionDenied


# --- the catalogue (HR) ---------------------------------------------------------------------
@transaction.atomic
def plan_save(
    *,
    actor: User,
    plan: Plan | None = None,
    locations: Iterable[Location] = (),
    departments: Iterable[Department] = (),
    **fields: Any,
) -> Plan:
    """Create a plan, or change one; `fields` are the plan's own fields."""
    _require_hr(actor)
    created = plan is None
    plan = plan or Plan()
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    plan.eligible_locations.set(locations)
    plan.eligible_departments.set(departments)
    audit_record(
        actor=actor,
        action="benefits.plan_created" if created else "benefits.plan_changed",
        target=plan,
        detail={
            "fields": sorted(fields),
            "locations": sorted(location.pk for location in plan.eligible_locations.all()),
            "departments": sorted(d.pk for d in plan.eligible_departments.all()),
        },
    )
    return plan


@transaction.atomic
def level_save(
    *, actor: User, plan: Plan, level: CoverageLevel | None = None, **fields: Any
) -> CoverageLevel:
    _require_hr(actor)
    created = level is None
    level = level or CoverageLevel(plan=plan)
    if level.plan_id != plan.pk:
        raise ValidationError(_("This coverage level belongs to another plan."))
    for name, value in fields.items():
        setattr(level, name, value)
    level.full_clean()
    level.save()
    audit_record(
        actor=actor,
        action="benefits.level_created" if created else "benefits.level_changed",
        target=plan,
        detail={
            "level": level.pk,
            "name": level.name,
            "employee_monthly_cost": str(level.employee_monthly_cost),
            "employer_monthly_contribution": str(level.employer_monthly_contribution),
        },
    )
    return level


@transaction.atomic
def level_delete(*, actor: User, level: CoverageLevel) -> None:
    _require_hr(actor)
    if level.elections.exists():
        raise ValidationError(
            _("People chose this coverage level, so it cannot be removed. Change it instead."),
            code="level_in_use",
        )
    plan, detail = level.plan, {"level": level.pk, "name": level.name}
    level.delete()
    audit_record(actor=actor, action="benefits.level_removed", target=plan, detail=detail)


@transaction.atomic
def window_save(
    *, actor: User, window: EnrolmentWindow | None = None, **fields: Any
) -> EnrolmentWindow:
    _require_hr(actor)
    created = window is None
    window = window or EnrolmentWindow()
    for name, value in fields.items():
        setattr(window, name, value)
    window.full_clean()
    window.save()
    audit_record(
        actor=actor,
        action="benefits.window_created" if created else "benefits.window_changed",
        target=window,
        detail={
            "plan_year": window.plan_year,
            "opens_on": window.opens_on.isoformat(),
            "closes_on": window.closes_on.isoformat(),
        },
    )
    return window


# --- dependents -----------------------------------------------------------------------------
@transaction.atomic
def dependent_save(
    *,
    employee: Employee,
    actor: User,
    dependent: Dependent | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Dependent:
    created = dependent is None
    dependent = dependent or Dependent(employee=employee)
    if dependent.employee_id != employee.pk:
        raise PermissionDenied
    if "full_name" in fields:
        fields["full_name"] = " ".join(str(fields["full_name"]).split())
    for name, value in fields.items():
        setattr(dependent, name, value)
    dependent.full_clean()
    dependent.save()
    audit_record(
        actor=actor,
        action="benefits.dependent_added" if created else "benefits.dependent_changed",
        target=employee,
        request=request,
        detail={"dependent": dependent.pk, "fields": sorted(fields)},
    )
    return dependent


@transaction.atomic
def dependent_remove(
    *, dependent: Dependent, actor: User, request: HttpRequest | None = None
) -> None:
    this_year = timezone.localdate().year
    covered = dependent.elections.filter(
        plan_year__gte=this_year,
        status__in=[Election.Status.ENROLLED, Election.Status.PENDING_APPROVAL],
    )
    if covered.exists():
        raise ValidationError(
            _(
                "This person is covered by one of your elections. Take them off the "
                "election first; then they can be removed."
            ),
            code="dependent_covered",
        )
    employee, pk = dependent.employee, dependent.pk
    dependent.delete()
    audit_record(
        actor=actor,
        action="benefits.dependent_removed",
        target=employee,
        request=request,
        detail={"dependent": pk},
    )


# --- elections ------------------------------------------------------------------------------
def _check_dependents(level: CoverageLevel | None, dependents: Sequence[Dependent]) -> None:
    if level is None:
        if dependents:
            raise ValidationError(_("A waived plan covers nobody."), code="dependents_on_waiver")
        return
    allowed = level.relationships
    if any(d.relationship not in allowed for d in dependents):
        raise ValidationError(
            _("%(level)s does not cover the people you selected.") % {"level": level.name},
            code="dependent_not_covered",
        )
    partners = sum(d.relationship == Dependent.Relationship.PARTNER for d in dependents)
    children = sum(d.relationship == Dependent.Relationship.CHILD for d in dependents)
    if partners > 1:
        raise ValidationError(_("Only one partner can be covered."), code="two_partners")
    Covers = CoverageLevel.Covers
    if level.covers == Covers.PARTNER and partners != 1:
        raise ValidationError(_("Select your partner for this coverage level."), code="no_partner")
    if level.covers == Covers.CHILDREN and not children:
        raise ValidationError(
            _("Select at least one child for this coverage level."), code="no_child"
        )
    if level.covers == Covers.FAMILY and not dependents:
        raise ValidationError(
            _("Select the family members this coverage level covers."), code="no_family"
        )


def _snapshot(election: Election | None) -> dict[str, Any]:
    if election is None:
        return {}
    return {
        "status": election.status,
        "level": election.coverage_level_id,
        "dependents": sorted(d.pk for d in election.dependents.all()),
        "employee_monthly_cost": str(election.employee_monthly_cost),
    }


@transaction.atomic
def election_make(
    *,
    employee: Employee,
    plan: Plan,
    plan_year: int,
    coverage_level: CoverageLevel | None,
    dependents: Sequence[Dependent] = (),
    actor: User,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> Election:
    """Elect a plan at a coverage level (with the dependents it covers), or waive it with
    `coverage_level=None`. Allowed while the plan year's window is open, or in the change
    period of an approved life event. Extra leave waits for the manager's approval."""
    today = today or timezone.localdate()
    if actor.pk != employee.user_id:
        raise PermissionDenied
    period = selectors.change_period_for(employee=employee, plan_year=plan_year, today=today)
    if period is None:
        raise ValidationError(
            _(
                "Your %(year)s elections cannot be changed now. They can change during open "
                "enrolment, or after HR approves a life event you report."
            )
            % {"year": plan_year},
            code="closed",
        )
    # One person's choices are made one at a time (two tabs, a double click): lock their row.
    Employee.objects.select_for_update().filter(pk=employee.pk).exists()
    existing = (
        Election.objects.select_for_update()
        .filter(employee=employee, plan=plan, plan_year=plan_year)
        .first()
    )
    if coverage_level is not None and coverage_level.plan_id != plan.pk:
        raise ValidationError(_("Choose one of this plan's coverage levels."), code="level")
    # Someone no longer eligible may still waive what they elected before.
    if (coverage_level is not None or existing is None) and not is_eligible(
        plan, employee, parents=department_parents(), today=today
    ):
        raise ValidationError(_("You are not eligible for this plan."), code="not_eligible")
    if any(d.employee_id != employee.pk for d in dependents):
        raise PermissionDenied
    _check_dependents(coverage_level, dependents)

    if coverage_level is None:
        status = Election.Status.WAIVED
    elif plan.needs_manager_approval and employee.manager_id is not None:
        status = Election.Status.PENDING_APPROVAL
    else:
        status = Election.Status.ENROLLED
    before = _snapshot(existing)
    unchanged = (
        existing is not None
        and existing.coverage_level_id == (coverage_level.pk if coverage_level else None)
        and before["dependents"] == sorted(d.pk for d in dependents)
        and existing.status in (status, Election.Status.ENROLLED)
        and existing.status != Election.Status.REJECTED
    )
    if unchanged:
        return existing

    election = existing or Election(employee=employee, plan=plan, plan_year=plan_year)
    election.status = status
    election.coverage_level = coverage_level
    election.employee_monthly_cost = coverage_level.employee_monthly_cost if coverage_level else 0
    election.employer_monthly_contribution = (
        coverage_level.employer_monthly_contribution if coverage_level else 0
    )
    election.source = period.source
    election.life_event = period.life_event
    election.elected_at = timezone.now()
    election.decided_by, election.decided_at, election.decision_note = None, None, ""
    try:
        with transaction.atomic():
            election.save()
    except IntegrityError:
        raise ValidationError(
            _("This choice was just saved from another window. Reload the page and check it."),
            code="concurrent",
        ) from None
    election.dependents.set(dependents)
    audit_record(
        actor=actor,
        action="benefits.election_changed",
        target=employee,
        request=request,
        detail={
            "election": election.pk,
            "plan": plan.pk,
            "plan_year": plan_year,
            "source": period.source,
            "life_event": period.life_event.pk if period.life_event else None,
            "from": before,
            "to": _snapshot(election),
        },
    )
    if status == Election.Status.PENDING_APPROVAL:
        _tell_manager(election)
    return election


def _tell_manager(election: Election) -> None:
    employee = election.employee
    manager = Employee.objects.select_related("user").get(pk=employee.manager_id).user
    with override(manager.language or settings.LANGUAGE_CODE):
        notify(
            recipient=manager,
            kind=TEAM_APPROVAL_KIND,
            title=_("%(name)s asks to buy extra leave")
            % {"name": employee.user.get_full_name() or employee.user.email},
            body=_("%(level)s in %(year)s. Approve or reject it on the team requests page.")
            % {"level": election.coverage_level.name, "year": election.plan_year},
            url=reverse("benefits:team"),
            dedupe_key=f"benefits-extra-leave:{election.pk}:{election.elected_at.timestamp()}",
        )


@transaction.atomic
def extra_leave_decide(
    *,
    election: Election,
    decider: User,
    approve: bool,
    seen_at: datetime.datetime | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Election:
    """A manager above the person approves or rejects a purchase of extra leave.

    `seen_at` is when the request the manager looked at was made: if the employee changed
    it since, the decision is refused rather than applied to something the manager never saw.
    """
    if not is_in_manager_chain(decider, election.employee):
        raise PermissionDenied
    pending = Election.objects.filter(pk=election.pk, status=Election.Status.PENDING_APPROVAL)
    if seen_at is not None:
        pending = pending.filter(elected_at=seen_at)
    now = timezone.now()
    updated = pending.update(
        status=Election.Status.ENROLLED if approve else Election.Status.REJECTED,
        decided_by=decider,
        decided_at=now,
        decision_note=note.strip()[:1000],
    )
    if not updated:
        raise ValidationError(
            _("This request was already decided or has changed. Reload the page to see it now."),
            code="stale",
        )
    election.refresh_from_db()
    audit_record(
        actor=decider,
        action="benefits.extra_leave_approved" if approve else "benefits.extra_leave_rejected",
        target=election.employee,
        request=request,
        detail={"election": election.pk, "plan_year": election.plan_year, "note": note[:200]},
    )
    person = election.employee.user
    with override(person.language or settings.LANGUAGE_CODE):
        title = (
            _("Your extra leave purchase for %(year)s is approved")
            if approve
            else _("Your extra leave purchase for %(year)s was not approved")
        ) % {"year": election.plan_year}
        notify(
            recipient=person,
            kind=DECISION_KIND,
            title=title,
            body=note.strip(),
            url=reverse("benefits:year", args=[election.plan_year]),
            dedupe_key=f"benefits-extra-leave-decided:{election.pk}:{now.timestamp()}",
        )
    return election


# --- life events ----------------------------------------------------------------------------
@transaction.atomic
def life_event_report(
    *,
    employee: Employee,
    kind: str,
    event_date: datetime.date,
    description: str = "",
    document: UploadedFile | None = None,
    actor: User,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> LifeEvent:
    today = today or timezone.localdate()
    if actor.pk != employee.user_id:
        raise PermissionDenied
    if event_date < today - datetime.timedelta(days=LIFE_EVENT_REPORT_DAYS_AFTER):
        raise ValidationError(
            {
                "event_date": _("Report a life event within %(days)d days of it.")
                % {"days": LIFE_EVENT_REPORT_DAYS_AFTER}
            }
        )
    if event_date > today + datetime.timedelta(days=LIFE_EVENT_REPORT_DAYS_BEFORE):
        raise ValidationError(
            {
                "event_date": _("Report a life event at most %(days)d days before it.")
                % {"days": LIFE_EVENT_REPORT_DAYS_BEFORE}
            }
        )
    duplicate = LifeEvent.objects.filter(
        employee=employee, kind=kind, event_date=event_date, status=LifeEvent.Status.PENDING
    )
    if duplicate.exists():
        raise ValidationError(
            _("You already reported this event; HR will decide on it soon."), code="duplicate"
        )
    event = LifeEvent(
        employee=employee,
        kind=kind,
        event_date=event_date,
        plan_year=event_date.year,
        description=description.strip(),
    )
    event.full_clean()
    event.save()
    if document is not None:
        attachment_add(owner=event, upload=document, uploaded_by=actor)
    audit_record(
        actor=actor,
        action="benefits.life_event_reported",
        target=event,
        request=request,
        detail={"kind": kind, "event_date": event_date.isoformat()},
    )
    return event


@transaction.atomic
def life_event_attach(
    *, event: LifeEvent, document: UploadedFile, actor: User, request: HttpRequest | None = None
) -> None:
    if actor.pk != event.employee.user_id:
        raise PermissionDenied
    if event.status != LifeEvent.Status.PENDING:
        raise ValidationError(
            _("Documents can be added while HR has not decided yet."), code="decided"
        )
    attachment_add(owner=event, upload=document, uploaded_by=actor)


@transaction.atomic
def life_event_decide(
    *,
    event: LifeEvent,
    decider: User,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> LifeEvent:
    """HR approves or rejects a pending life event; an approval opens a change period."""
    _require_hr(decider)
    if decider.pk == event.employee.user_id:
        raise ValidationError(
            _("You cannot decide on your own life event; another HR officer must."),
            code="self_decision",
        )
    today = today or timezone.localdate()
    now = timezone.now()
    changes_until = today + datetime.timedelta(days=LIFE_EVENT_CHANGE_DAYS) if approve else None
    updated = LifeEvent.objects.filter(pk=event.pk, status=LifeEvent.Status.PENDING).update(
        status=LifeEvent.Status.APPROVED if approve else LifeEvent.Status.REJECTED,
        decided_by=decider,
        decided_at=now,
        decision_note=note.strip()[:1000],
        changes_until=changes_until,
    )
    if not updated:
        event.refresh_from_db(fields=["status"])
        raise ValidationError(
            _("This life event is already %(status)s; nothing was changed.")
            % {"status": event.get_status_display().lower()},
            code="not_pending",
        )
    event.refresh_from_db()
    audit_record(
        actor=decider,
        action="benefits.life_event_approved" if approve else "benefits.life_event_rejected",
        target=event,
        request=request,
        detail={"employee": event.employee_id, "note": note[:200]},
    )
    person = event.employee.user
    with override(person.language or settings.LANGUAGE_CODE):
        if approve:
            title = _("Your life event is approved: change your benefits until %(date)s") % {
                "date": changes_until.isoformat()
            }
        else:
            title = _("Your life event was not approved")
        notify(
            recipient=person,
            kind=DECISION_KIND,
            title=title,
            body=note.strip(),
            url=reverse("benefits:life_event", args=[event.pk]),
            dedupe_key=f"benefits-life-event-decided:{event.pk}",
        )
    return event
