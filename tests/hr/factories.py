import datetime
from decimal import Decimal

import factory

from hr.models import Compensation, PersonalProfile
from tests.factories import EmployeeFactory


class PersonalProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalProfile

    employee = factory.SubFactory(EmployeeFactory)
    legal_first_name = "Emma"
    legal_last_name = "de Vries"
    date_of_birth = datetime.date(1990, 4, 12)
    national_id = "111222333"
    national_id_country = "NL"
    address_line1 = "Coolsingel 40"
    postcode = "3011 AD"
    city = "Rotterdam"
    country = "NL"
    personal_phone = "+31612345678"
    personal_email = factory.Sequence(lambda n: f"home{n}@example.net")
    iban = "NL91 ABNA 0417 1643 00"
    bank_account_holder = "E. de Vries"
    tax_residency = "NL"


class CompensationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compensation

    employee = factory.SubFactory(EmployeeFactory)
    annual_base_salary = Decimal("61873.45")
    currency = "EUR"
    effective_from = datetime.date(2024, 1, 1)
