"""National ID, IBAN and salary never sit readable in the database or in a dump of it."""

import io
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from ess.crypto import FieldDecryptionError, decrypt_text, encrypt_text
from hr import profile_services
from hr.models import ChangeRequest, Compensation, PersonalProfile
from tests.hr.factories import CompensationFactory, PersonalProfileFactory

PLAINTEXTS = ["111222333", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "61873.45"]


@pytest.fixture
def private_data(db, employee):
    profile = PersonalProfileFactory(employee=employee.employee)
    CompensationFactory(employee=employee.employee)
    # A pending request and the history of an applied one hold the values too.
    profile_services.change_request_submit(
        actor=employee,
        employee=employee.employee,
        kind=ChangeRequest.Kind.BANK_ACCOUNT,
        values={"iban": "DE89 3704 0044 0532 0130 00", "bank_account_holder": "E. de Vries"},
        effective_date=profile.updated_at.date(),
    )
    return profile


def test_encrypted_columns_hold_ciphertext(private_data):
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, iban FROM hr_personalprofile")
        national_id, iban = cursor.fetchone()
        cursor.execute("SELECT annual_base_salary FROM hr_compensation")
        (salary,) = cursor.fetchone()
    for stored in (national_id, iban, salary):
        assert stored.startswith("fernet:")
    assert "111222333" not in national_id
    assert decrypt_text(iban) == "NL91 ABNA 0417 1643 00"
    assert Compensation.objects.get().annual_base_salary == Decimal("61873.45")


def test_a_database_dump_contains_no_plaintext(private_data):
    sql_dump = "\n".join(connection.connection.iterdump())
    json_dump = io.StringIO()
    call_command("dumpdata", "hr", stdout=json_dump)
    for dump in (sql_dump, json_dump.getvalue()):
        assert "fernet:" in dump  # the data is there…
        for secret in [*PLAINTEXTS, "DE89370400440532013000", "DE89 3704 0044 0532 0130 00"]:
            assert secret not in dump  # …but only as ciphertext


def test_a_tampered_value_is_refused_not_misread(private_data):
    with connection.cursor() as cursor:
        cursor.execute("SELECT iban FROM hr_personalprofile")
        (iban,) = cursor.fetchone()
        forged = iban[:-6] + ("AAAAAA" if not iban.endswith("AAAAAA") else "BBBBBB")
        cursor.execute("UPDATE hr_personalprofile SET iban = %s", [forged])
    with pytest.raises(FieldDecryptionError):
        PersonalProfile.objects.get()


def test_key_rotation_keeps_every_value_readable(private_data, settings):
    old_key = settings.ESS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.ESS_FIELD_KEYS = [new_key, old_key]
    # Before rotation, the old ciphertext still decrypts through the second key.
    assert PersonalProfile.objects.get().iban == "NL91 ABNA 0417 1643 00"
    output = io.StringIO()
    call_command("rotate_field_keys", stdout=output)
    assert "hr.PersonalProfile: 1 re-encrypted" in output.getvalue()

    settings.ESS_FIELD_KEYS = [new_key]  # the old key is gone for good
    profile = PersonalProfile.objects.get()
    assert profile.iban == "NL91 ABNA 0417 1643 00"
    assert profile.national_id == "111222333"
    assert Compensation.objects.get().annual_base_salary == Decimal("61873.45")
    request = ChangeRequest.objects.get()
    assert request.proposed["iban"] == "DE89 3704 0044 0532 0130 00"

    settings.ESS_FIELD_KEYS = [old_key]  # and the old key alone no longer reads anything
    with pytest.raises(FieldDecryptionError):
        PersonalProfile.objects.get()


def test_the_same_value_encrypts_differently_each_time(settings):
    assert encrypt_text("111222333") != encrypt_text("111222333")


def test_a_json_dump_loads_back_with_the_values_intact(private_data, tmp_path):
    dump = tmp_path / "hr.json"
    call_command("dumpdata", "hr.personalprofile", "hr.compensation", output=str(dump))
    PersonalProfile.objects.all().delete()
    Compensation.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)
    assert PersonalProfile.objects.get().iban == "NL91 ABNA 0417 1643 00"
    assert Compensation.objects.get().annual_base_salary == Decimal("61873.45")
