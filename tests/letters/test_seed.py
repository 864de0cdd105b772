import random

import pytest

from ess.portal.seeding import SeedContext
from hr import seed as hr_seed
from hr.letters import seed as letters_seed
from hr.letters import selectors
from hr.letters.models import Letter, LetterTemplate
from hr.models import Employee

pytestmark = pytest.mark.django_db


def test_demo_letters_are_issued_and_emma_waits_for_hr_if_she_has_pay():
    lines: list[str] = []
    ctx = SeedContext(rng=random.Random(3), scale=1, write=lines.append)
    hr_seed.seed_demo(ctx)
    letters_seed.seed_demo(ctx)
    assert LetterTemplate.objects.count() == 3
    assert {t.language for t in LetterTemplate.objects.all()} == {"en", "nl"}
    assert LetterTemplate.objects.filter(current_version__uses_salary=True).count() == 1
    issued = Letter.objects.filter(status=Letter.Status.ISSUED)
    # The three named demo letters, plus two years of history for the reports' trends.
    named = issued.filter(
        employee__user__email__in=[
            f"{local}@northwind.example" for local, *_rest in letters_seed.ISSUED
        ]
    )
    assert named.count() == 3
    assert issued.count() > 24
    assert all(letter.verification_code and letter.letterpdf.sha256 for letter in issued)
    emma = Employee.objects.get(user__email="emma.employee@northwind.example")
    pending = Letter.objects.filter(status=Letter.Status.PENDING)
    if selectors.has_compensation(emma):
        assert [letter.employee for letter in pending] == [emma]
        assert pending.get().is_salary
    else:
        assert not pending.exists()
        assert "nobody has pay recorded" in lines[-1]
    assert selectors.letterhead().company_name == "Northwind Logistics"
