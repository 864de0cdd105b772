"""Reads for letters: the employee's own, HR's queue, templates, and code lookups."""

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ess.accounts.models import User
from hr.letters import codes
from hr.letters.models import Letter, Letterhead, LetterPdf, LetterTemplate
from hr.letters.permissions import can_manage_letters, require
from hr.models import Compensation, Employee


def letters_for_employee(*, user: User) -> QuerySet[Letter]:
    return (
        Letter.objects.filter(employee__user=user)
        .select_related("template", "template_version")
        .defer("text", "error")
        .order_by("-requested_at", "-pk")
    )


def letter_for_viewer(*, user: User, pk: int) -> Letter:
    """The owner's own letter, or any letter for HR; everyone else gets a 404."""
    letters = Letter.objects.select_related(
        "employee__user", "employee__department", "template", "template_version", "decided_by"
    ).defer("text")  # the printed text (salary included) loads only where it is shown
    if not can_manage_letters(user):
        letters = letters.filter(employee__user=user)
    return get_object_or_404(letters, pk=pk)


def letter_queue(*, user: User) -> QuerySet[Letter]:
    """Every request, for HR; the table and its exports read only these joined columns."""
    require(can_manage_letters(user))
    return (
        Letter.objects.select_related("employee__user", "employee__department", "template")
        .defer("text", "error")
        .order_by("-requested_at", "-pk")
    )


def pending_approval_count(user: User) -> int:
    if not can_manage_letters(user):
        return 0
    return Letter.objects.filter(status=Letter.Status.PENDING).count()


def requestable_templates() -> QuerySet[LetterTemplate]:
    return (
        LetterTemplate.objects.filter(is_active=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("name")
    )


def templates_for_hr(*, user: User) -> QuerySet[LetterTemplate]:
    require(can_manage_letters(user))
    return LetterTemplate.objects.select_related("current_version").order_by("name")


def template_for_hr(*, user: User, pk: int) -> LetterTemplate:
    return get_object_or_404(templates_for_hr(user=user), pk=pk)


def letter_by_code(*, user: User, code: str) -> Letter | None:
    """The letter a verification code belongs to, typed in any case, spaces or dashes."""
    require(can_manage_letters(user))
    normalised = codes.normalise(code)
    if normalised is None:
        return None
    return (
        Letter.objects.select_related(
            "employee__user", "employee__department", "template", "template_version", "revoked_by"
        )
        .defer("text")
        .filter(verification_code=normalised)
        .first()
    )


def letter_pdf(letter: Letter) -> LetterPdf | None:
    """The stored PDF's facts (checksum, size) without loading the file itself."""
    return LetterPdf.objects.defer("token").filter(letter=letter).first()


def letter_pdf_file(letter: Letter) -> LetterPdf | None:
    return LetterPdf.objects.filter(letter=letter).first()


def requests_since(employee: Employee, since: datetime.datetime) -> int:
    return Letter.objects.filter(employee=employee, requested_at__gte=since).count()


def letterhead() -> Letterhead:
    """The saved letterhead, or a placeholder one until HR fills it in."""
    return Letterhead.objects.order_by("pk").first() or Letterhead(
        company_name="ESS", signatory_name="HR", signatory_title="Human Resources"
    )


def has_letterhead() -> bool:
    return Letterhead.objects.exists()


def current_compensation(
    employee: Employee, *, today: datetime.date | None = None
) -> Compensation | None:
    """The newest pay record in force today. Reading its amount is a sensitive read: the
    callers audit it."""
    today = today or timezone.localdate()
    return (
        Compensation.objects.filter(employee=employee, effective_from__lte=today)
        .order_by("-effective_from")
        .first()
    )


def has_compensation(employee: Employee, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return Compensation.objects.filter(employee=employee, effective_from__lte=today).exists()
