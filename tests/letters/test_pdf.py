"""The letter PDF: what it says, that it is stored encrypted, and key rotation."""

import hashlib
import io

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from pypdf import PdfReader

from ess.crypto import FieldDecryptionError, encrypt_bytes, registered_rotations
from hr.letters import services
from hr.letters.models import LetterPdf
from tests.factories import EmployeeFactory
from tests.letters.factories import (
    CompensationFactory,
    issued_letter,
    make_template,
    request_letter,
)

pytestmark = pytest.mark.django_db


def _pdf(letter, viewer=None) -> bytes:
    return services.letter_pdf_bytes(letter=letter, viewer=viewer or letter.employee.user)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def lukasz(db):
    return EmployeeFactory(
        user__first_name="Łukasz",
        user__last_name="Ødegård",
        user__email="lukasz@example.org",
        job_title="Şahin's deputy",
    ).user


def test_the_pdf_prints_the_letter_with_unicode_names(lukasz, employment_template, settings):
    letter = issued_letter(lukasz, employment_template, addressee="Ambasada RP, Oslo")
    text = _text(_pdf(letter))
    assert "Łukasz Ødegård" in text
    assert "Şahin's deputy" in text
    assert "Northwind Logistics" in text  # letterhead and signature
    assert "Hanna Hr" in text
    assert "To: Ambasada RP, Oslo" in text
    assert "Confirmation of employment" in text
    assert "1 January 2020" in text  # the start date, written out
    assert f"Verification code: {letter.display_code}" in text
    assert f"{settings.SITE_URL}/letters/verify" in text


def test_the_pdf_carries_title_and_author(employee, employment_template):
    letter = issued_letter(employee, employment_template)
    meta = PdfReader(io.BytesIO(_pdf(letter))).metadata
    assert meta.title == "Confirmation of employment"
    assert meta.author == "Northwind Logistics"
    assert meta.subject == "Employment confirmation"


def test_markup_prints_as_plain_text(employee, hr_officer, letterhead):
    template = make_template(
        actor=hr_officer,
        name="Hostile",
        subject="<font color='red'>Hi</font> & {full_name}",
        body="<b>Bold?</b> <a href='javascript:alert(1)'>x</a> & {purpose}\n\nSecond <br/> para",
    )
    letter = issued_letter(employee, template, purpose="rent & deposit", addressee="O'Brien & Sons")
    text = _text(_pdf(letter))
    assert "<b>Bold?</b>" in text
    assert "<a href='javascript:alert(1)'>x</a> & rent & deposit" in text
    assert "<font color='red'>Hi</font> &" in text
    assert "Second <br/> para" in text
    assert "O'Brien & Sons" in text


def test_a_dutch_template_writes_dates_and_contract_in_dutch(employee, hr_officer, letterhead):
    template = make_template(
        actor=hr_officer,
        name="Werkgeversverklaring",
        language="nl",
        subject="Werkgeversverklaring",
        body="Sinds {start_date} met een {contract_type} contract van {hours_per_week} uur.",
    )
    employee.employee.hours_per_week = "36.5"
    employee.employee.save()
    letter = issued_letter(employee, template)
    assert "1 januari 2020" in letter.text
    assert "36,5 uur" in letter.text


def test_the_pdf_is_encrypted_at_rest_with_the_checksum_of_the_plaintext(
    employee, hr_officer, salary_letter_template, django_capture_on_commit_callbacks
):
    CompensationFactory(employee=employee.employee)
    letter = request_letter(employee, salary_letter_template)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(letter=letter, actor=hr_officer)
    letter.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM letters_letterpdf WHERE letter_id = %s", [letter.pk])
        stored = bytes(cursor.fetchone()[0])
        cursor.execute("SELECT text FROM letters_letter WHERE id = %s", [letter.pk])
        stored_text = cursor.fetchone()[0]
    assert b"%PDF" not in stored
    for digits in (b"61873", b"61,873", b"61.873", b"5156", b"5,156"):
        assert digits not in stored
    assert stored_text.startswith("fernet:")
    assert "61,873" not in stored_text
    data = _pdf(letter)
    assert data.startswith(b"%PDF")
    assert "€61,873.45" in _text(data)
    assert hashlib.sha256(data).hexdigest() == LetterPdf.objects.get(letter=letter).sha256


def test_key_rotation_re_encrypts_the_pdfs_and_keeps_them_readable(
    employee, employment_template, settings
):
    letters = [issued_letter(employee, employment_template) for _ in range(3)]
    before = {pdf.pk: bytes(pdf.token) for pdf in LetterPdf.objects.all()}
    old_key = settings.ESS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.ESS_FIELD_KEYS = [new_key, old_key]
    rotate = dict(registered_rotations())["letters.pdf"]
    assert rotate() == 3
    for pdf in LetterPdf.objects.all():
        assert bytes(pdf.token) != before[pdf.pk]
    # The old key can go: everything reads with the new one alone.
    settings.ESS_FIELD_KEYS = [new_key]
    for letter in letters:
        assert _pdf(letter).startswith(b"%PDF")
    settings.ESS_FIELD_KEYS = [old_key]
    with pytest.raises(FieldDecryptionError):
        _pdf(letters[0])


def test_a_tampered_pdf_is_refused(employee, employment_template):
    letter = issued_letter(employee, employment_template)
    LetterPdf.objects.filter(letter=letter).update(token=encrypt_bytes(b"%PDF-1.4 forged"))
    with pytest.raises(services.TamperedPdf):
        _pdf(letter)


def test_downloading_is_audited_and_hr_reading_a_salary_letter_is_a_sensitive_read(
    employee, hr_officer, admin_user, salary_letter_template, django_capture_on_commit_callbacks
):
    from ess.audit.models import AuditEvent

    CompensationFactory(employee=employee.employee)
    letter = request_letter(employee, salary_letter_template)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(letter=letter, actor=admin_user)
    letter.refresh_from_db()
    AuditEvent.objects.all().delete()
    _pdf(letter, viewer=employee)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["letters.downloaded"]
    _pdf(letter, viewer=hr_officer)
    read = AuditEvent.objects.get(action="hr.sensitive_read")
    assert read.actor == hr_officer
    assert read.detail["fields"] == ["annual_base_salary"]
