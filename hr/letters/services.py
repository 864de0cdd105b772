"""Writes for letters: templates and their versions, requests, decisions, production,
revocation, and re-encryption of the stored PDFs."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.audit.services import audit_record
from ess.crypto import decrypt_bytes, encrypt_bytes, rotate_bytes
from ess.notifications.services import notify
from hr.letters import codes, placeholders, selectors
from hr.letters.models import Letter, Letterhead, LetterPdf, LetterTemplate, LetterTemplateVersion
from hr.letters.permissions import can_manage_letters
from hr.letters.wording import long_date, placeholder_values
from hr.models import Employee

logger = logging.getLogger(__name__)

Status = Letter.Status
# Letters one person may ask for in a day: enough for any real need, not for a flood.
DAILY_REQUEST_LIMIT = 10
LETTER_KIND = "letters"
APPROVAL_KIND = "letter_approvals"


def _require_hr(actor: User) -> None:
    if not can_manage_letters(actor):
        raise ValidationError(_("Only HR can do this."), code="not_hr")


# --- Templates ------------------------------------------------------------------------------
def _validate_wording(*, subject: str, body: str) -> None:
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            placeholders.validate(text)
        except ValidationError as error:
            errors[field] = error.messages
    if not body.strip():
        errors.setdefault("body", []).append(_("Write the text of the letter."))
    if errors:
        raise ValidationError(errors)


def _write_version(
    *, template: LetterTemplate, subject: str, body: str, actor: User
) -> LetterTemplateVersion:
    number = (template.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = LetterTemplateVersion(
        template=template,
        number=number,
        subject=subject.strip(),
        body=body.strip().replace("\r\n", "\n"),
        uses_salary=placeholders.uses_salary(subject, body),
        created_by=actor,
    )
    version.full_clean(exclude=["template"])
    version.save()
    return version


@transaction.atomic
def template_create(
    *,
    actor: User,
    name: str,
    purpose: str,
    language: str,
    subject: str,
    body: str,
    description: str = "",
    is_active: bool = True,
) -> LetterTemplate:
    _require_hr(actor)
    _validate_wording(subject=subject, body=body)
    template = LetterTemplate(
        name=name.strip(),
        purpose=purpose,
        language=language,
        description=description.strip(),
        is_active=is_active,
        created_by=actor,
    )
    template.full_clean()
    template.save()
    template.current_version = _write_version(
        template=template, subject=subject, body=body, actor=actor
    )
    template.save(update_fields=["current_version"])
    audit_record(
        actor=actor, action="letters.template_created", target=template, detail={"version": 1}
    )
    return template


@transaction.atomic
def template_update(
    *,
    template: LetterTemplate,
    actor: User,
    name: str,
    purpose: str,
    language: str,
    subject: str,
    body: str,
    description: str = "",
    is_active: bool = True,
) -> LetterTemplate:
    """Change a template. New wording becomes a new version; letters already requested
    keep the version they were requested with."""
    _require_hr(actor)
    _validate_wording(subject=subject, body=body)
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    template.name, template.purpose, template.language = name.strip(), purpose, language
    template.description, template.is_active = description.strip(), is_active
    template.updated_at = timezone.now()
    template.full_clean()
    current = template.current_version
    normalised = body.strip().replace("\r\n", "\n")
    if current is None or (current.subject, current.body) != (subject.strip(), normalised):
        template.current_version = _write_version(
            template=template, subject=subject, body=body, actor=actor
        )
    template.save()
    audit_record(
        actor=actor,
        action="letters.template_changed",
        target=template,
        detail={"version": template.current_version.number, "active": is_active},
    )
    return template


@transaction.atomic
def letterhead_update(*, actor: User, **fields) -> Letterhead:
    _require_hr(actor)
    letterhead = Letterhead.objects.select_for_update().order_by("pk").first() or Letterhead()
    for name, value in fields.items():
        setattr(letterhead, name, value.strip() if isinstance(value, str) else value)
    letterhead.full_clean()
    letterhead.save()
    audit_record(actor=actor, action="letters.letterhead_changed", target=letterhead)
    return letterhead


# --- Requests -------------------------------------------------------------------------------
def _letter_url(letter: Letter) -> str:
    return reverse("letters:detail", args=[letter.pk])


def _tell_employee(letter: Letter, title: str, body: str = "", *, step: str) -> None:
    notify(
        recipient=letter.employee.user,
        kind=LETTER_KIND,
        title=title,
        body=body,
        url=_letter_url(letter),
        dedupe_key=f"letter:{letter.pk}:{step}",
    )


@transaction.atomic
def letter_request(
    *,
    user: User,
    template: LetterTemplate,
    addressee: str,
    purpose: str = "",
    request: HttpRequest | None = None,
) -> Letter:
    """Ask for a letter. Without a salary in it, it is produced straight away (after
    commit, by a task); a salary letter waits for HR's approval."""
    employee = Employee.objects.select_related("user").filter(user=user).first()
    if employee is None:
        raise ValidationError(
            _("Letters are for employees; this account has no employment record."),
            code="no_employee",
        )
    template = (
        LetterTemplate.objects.select_related("current_version").filter(pk=template.pk).first()
    )
    if template is None or not template.is_active or template.current_version is None:
        raise ValidationError(_("This letter cannot be requested any more."), code="inactive")
    version = template.current_version
    day_ago = timezone.now() - datetime.timedelta(days=1)
    if selectors.requests_since(employee, day_ago) >= DAILY_REQUEST_LIMIT:
        raise ValidationError(
            _(
                "You have asked for %(count)d letters in the last 24 hours. Please try again "
                "tomorrow, or contact HR if you need more."
            )
            % {"count": DAILY_REQUEST_LIMIT},
            code="too_many",
        )
    if version.uses_salary and not selectors.has_compensation(employee):
        raise ValidationError(
            _(
                "We have no salary on record for you, so a salary letter cannot be produced. "
                "Please contact HR to have your pay recorded first."
            ),
            code="no_compensation",
        )
    letter = Letter(
        employee=employee,
        template=template,
        template_version=version,
        is_salary=version.uses_salary,
        addressee=addressee.strip(),
        purpose=purpose.strip(),
        status=Status.PENDING if version.uses_salary else Status.QUEUED,
    )
    letter.full_clean()
    letter.save()
    audit_record(
        actor=user,
        action="letters.requested",
        target=letter,
        request=request,
        detail={"template": template.pk, "version": version.number, "salary": letter.is_salary},
    )
    if letter.is_salary:
        _tell_employee(
            letter,
            _("Your request for %(name)s is waiting for HR") % {"name": template.name},
            _("A letter that states your salary is checked by HR before it is produced."),
            step="requested",
        )
        _tell_hr(
            letter,
            _("Salary letter to approve for %(name)s") % {"name": _owner_name(letter)},
            step="approval",
        )
    else:
        _queue_production(letter)
    return letter


def _tell_hr(letter: Letter, title: str, *, step: str) -> None:
    """Every HR officer but the letter's owner: they decide, and fix what failed."""
    officers = User.objects.filter(
        groups__name=Role.HR_OFFICER, is_active=True, employee__isnull=False
    ).exclude(pk=letter.employee.user_id)
    url = _letter_url(letter)
    for officer in officers.distinct():
        notify(
            recipient=officer,
            kind=APPROVAL_KIND,
            title=title,
            url=url,
            dedupe_key=f"letter:{letter.pk}:{step}:{officer.pk}",
        )


def _owner_name(letter: Letter) -> str:
    return letter.employee.user.get_full_name() or letter.employee.user.email


def _queue_production(letter: Letter) -> None:
    letter_id = letter.pk
    transaction.on_commit(lambda: _publish_production(letter_id))


def _publish_production(letter_id: int) -> None:
    from hr.letters.tasks import produce_letter

    try:
        produce_letter.delay(letter_id)
    except Exception:  # broker away: the letter stays queued and HR can send it again
        logger.warning("Broker unavailable; letter %s waits", letter_id)


def _move(
    letter: Letter, *, source: tuple[str, ...], target: str, refusal: str, **fields
) -> Letter:
    """One step of the workflow, taken only if the letter is still where it starts.

    The status test is part of the UPDATE, so of two people deciding at once exactly one
    wins and the other is told the letter was already decided.
    """
    updated = Letter.objects.filter(pk=letter.pk, status__in=source).update(status=target, **fields)
    if not updated:
        current = Letter.objects.filter(pk=letter.pk).values_list("status", flat=True).first()
        raise ValidationError(
            refusal % {"status": str(Status(current).label).lower() if current else "?"},
            code="illegal_transition",
        )
    letter.refresh_from_db()
    return letter


def _refuse_own(letter: Letter, actor: User) -> None:
    if letter.employee.user_id == actor.pk:
        raise ValidationError(
            _("You cannot decide on your own letter; another HR officer must."),
            code="own_request",
        )


@transaction.atomic
def letter_approve(
    *, letter: Letter, actor: User, note: str = "", request: HttpRequest | None = None
) -> Letter:
    _require_hr(actor)
    _refuse_own(letter, actor)
    letter = _move(
        letter,
        source=(Status.PENDING,),
        target=Status.QUEUED,
        refusal=_("This request is %(status)s, so it cannot be approved."),
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note.strip(),
    )
    audit_record(actor=actor, action="letters.approved", target=letter, request=request)
    _tell_employee(
        letter,
        _("HR approved your request for %(name)s") % {"name": letter.template.name},
        _("Your letter is being produced; you will be told when it is ready."),
        step="approved",
    )
    _queue_production(letter)
    return letter


@transaction.atomic
def letter_reject(
    *, letter: Letter, actor: User, note: str, request: HttpRequest | None = None
) -> Letter:
    _require_hr(actor)
    _refuse_own(letter, actor)
    if not note.strip():
        raise ValidationError(_("Tell the employee why."), code="note_required")
    letter = _move(
        letter,
        source=(Status.PENDING,),
        target=Status.REJECTED,
        refusal=_("This request is %(status)s, so it cannot be declined."),
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="letters.rejected",
        target=letter,
        request=request,
        detail={"note": letter.decision_note},
    )
    _tell_employee(
        letter,
        _("HR declined your request for %(name)s") % {"name": letter.template.name},
        letter.decision_note,
        step="rejected",
    )
    return letter


@transaction.atomic
def letter_withdraw(*, letter: Letter, actor: User, request: HttpRequest | None = None) -> Letter:
    if letter.employee.user_id != actor.pk:
        raise ValidationError(_("Only the person who asked can withdraw a request."))
    letter = _move(
        letter,
        source=(Status.PENDING,),
        target=Status.WITHDRAWN,
        refusal=_("This request is %(status)s, so it cannot be withdrawn."),
    )
    audit_record(actor=actor, action="letters.withdrawn", target=letter, request=request)
    return letter


@transaction.atomic
def letter_retry(*, letter: Letter, actor: User, request: HttpRequest | None = None) -> Letter:
    """Send a letter that failed (or waits for a broker that was away) to production again."""
    _require_hr(actor)
    letter = _move(
        letter,
        source=(Status.FAILED, Status.QUEUED),
        target=Status.QUEUED,
        refusal=_("This letter is %(status)s, so there is nothing to produce again."),
        error="",
    )
    audit_record(actor=actor, action="letters.retried", target=letter, request=request)
    _queue_production(letter)
    return letter


@transaction.atomic
def letter_revoke(
    *, letter: Letter, actor: User, reason: str, request: HttpRequest | None = None
) -> Letter:
    """Withdraw an issued letter's validity: a verification of its code says so from now on."""
    _require_hr(actor)
    if not reason.strip():
        raise ValidationError(_("Give the reason for revoking."), code="reason_required")
    letter = _move(
        letter,
        source=(Status.ISSUED,),
        target=Status.REVOKED,
        refusal=_("This letter is %(status)s, so it cannot be revoked."),
        revoked_by=actor,
        revoked_at=timezone.now(),
        revoke_reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="letters.revoked",
        target=letter,
        request=request,
        detail={"reason": letter.revoke_reason, "code": letter.verification_code},
    )
    _tell_employee(
        letter,
        _("Your %(name)s letter was revoked") % {"name": letter.template.name},
        letter.revoke_reason,
        step="revoked",
    )
    return letter


# --- Production -----------------------------------------------------------------------------
def _new_code() -> str:
    while True:
        code = codes.generate()
        if not Letter.objects.filter(verification_code=code).exists():
            return code


def letter_produce(*, letter_id: int) -> bool:
    """Produce a queued letter: fill in the text, render and store the PDF, mark it issued.

    Idempotent: the row is locked and only a queued letter is produced, so running the task
    twice (a retry, a second worker) yields one letter and never touches an issued one.
    Returns True when this call produced it.
    """
    from hr.letters.pdf import LetterContent, render_letter

    with transaction.atomic():
        letter = (
            # Lock only the letter: PostgreSQL refuses FOR UPDATE on the nullable side of the
            # outer join that the optional `decided_by` needs.
            Letter.objects.select_for_update(of=("self",))
            .select_related(
                "employee__user",
                "employee__department",
                "employee__location",
                "template",
                "template_version",
                "decided_by",
            )
            .filter(pk=letter_id)
            .first()
        )
        if letter is None or letter.status != Status.QUEUED:
            return False
        version, template = letter.template_version, letter.template
        today = timezone.localdate()
        compensation = None
        if letter.is_salary:
            compensation = selectors.current_compensation(letter.employee, today=today)
            if compensation is None:
                return _fail(letter, _("There is no salary on record for this employee."))
            audit_record(
                actor=letter.decided_by,
                action="hr.sensitive_read",
                target=letter.employee,
                detail={"fields": ["annual_base_salary"], "purpose": "letter", "letter": letter.pk},
            )
        letterhead = selectors.letterhead()
        values = placeholder_values(
            employee=letter.employee,
            letterhead=letterhead,
            language=template.language,
            today=today,
            addressee=letter.addressee,
            purpose=letter.purpose,
            compensation=compensation,
        )
        subject = placeholders.fill(version.subject, values)
        text = placeholders.fill(version.body, values)
        code = _new_code()
        try:
            rendered = render_letter(
                LetterContent(
                    language=template.language,
                    company_name=letterhead.company_name,
                    address_lines=letterhead.address_lines,
                    contact_line=letterhead.contact_line,
                    date_text=long_date(today, template.language),
                    addressee=letter.addressee,
                    subject=subject,
                    body=text,
                    signatory_name=letterhead.signatory_name,
                    signatory_title=letterhead.signatory_title,
                    code=codes.display(code),
                    verify_url=f"{settings.SITE_URL}{reverse('letters:verify')}",
                    template_name=template.name,
                )
            )
        except Exception as exc:
            logger.exception("Letter %s could not be rendered", letter.pk)
            return _fail(letter, f"{type(exc).__name__}: {exc}")
        LetterPdf.objects.create(
            letter=letter,
            token=encrypt_bytes(rendered.data),
            sha256=hashlib.sha256(rendered.data).hexdigest(),
            size=len(rendered.data),
            pages=rendered.pages,
        )
        letter.status, letter.issued_at = Status.ISSUED, timezone.now()
        letter.verification_code, letter.text, letter.error = code, f"{subject}\n\n{text}", ""
        letter.save(update_fields=["status", "issued_at", "verification_code", "text", "error"])
        audit_record(
            actor=None,
            action="letters.issued",
            target=letter,
            detail={"version": version.number, "code": code},
        )
        _tell_employee(
            letter, _("Your letter is ready: %(name)s") % {"name": template.name}, step="issued"
        )
    return True


def _fail(letter: Letter, error: str) -> bool:
    Letter.objects.filter(pk=letter.pk, status=Status.QUEUED).update(
        status=Status.FAILED, error=error[:2000]
    )
    audit_record(actor=None, action="letters.failed", target=letter, detail={"error": error[:200]})
    _tell_hr(
        letter,
        _("A letter for %(name)s could not be produced") % {"name": _owner_name(letter)},
        step="failed",
    )
    return False


# --- Reading and rotating the stored PDF ----------------------------------------------------
class TamperedPdf(Exception):
    """The stored PDF does not match the checksum recorded when it was produced."""


def letter_pdf_bytes(
    *, letter: Letter, viewer: User, request: HttpRequest | None = None
) -> bytes | None:
    """The plaintext PDF for a download, checked against its checksum; audited."""
    stored = selectors.letter_pdf_file(letter)
    if stored is None:
        return None
    data = decrypt_bytes(bytes(stored.token))
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise TamperedPdf(f"letter {letter.pk}")
    audit_record(
        actor=viewer,
        action="letters.downloaded",
        target=letter,
        request=request,
        detail={"salary": letter.is_salary},
    )
    if letter.is_salary and viewer.pk != letter.employee.user_id:
        audit_record(
            actor=viewer,
            action="hr.sensitive_read",
            target=letter.employee,
            request=request,
            detail={"fields": ["annual_base_salary"], "purpose": "letter", "letter": letter.pk},
        )
    return data


def pdf_keys_rotate(*, batch_size: int = 200) -> int:
    """Re-encrypt every stored letter PDF under the first key of ESS_FIELD_KEYS.

    Registered with ess.crypto.register_rotation, so `rotate_field_keys` runs it. Each batch
    commits on its own; returns how many PDFs were re-encrypted.
    """
    pks = list(LetterPdf.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(pks), batch_size):
        with transaction.atomic():
            chunk = pks[start : start + batch_size]
            for row in LetterPdf.objects.select_for_update().filter(pk__in=chunk):
                row.token = rotate_bytes(bytes(row.token))
                row.save(update_fields=["token"])
                done += 1
    return done


def verification_lookup(*, user: User, code: str, request: HttpRequest | None = None):
    """Find a letter by its code for HR; every lookup is audited, found or not."""
    letter = selectors.letter_by_code(user=user, code=code)
    audit_record(
        actor=user,
        action="letters.verified",
        target=letter,
        request=request,
        detail={"code": codes.normalise(code) or code[:40], "found": letter is not None},
    )
    return letter
