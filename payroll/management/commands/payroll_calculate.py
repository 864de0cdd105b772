"""Calculate one pay period from the salary structures into its draft payroll run."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from payroll import services


class Command(BaseCommand):
    help = (
        "Calculate the payslips of a period (YYYY-MM) from the salary structures and each "
        "person's salary on record. Refused once the period's run is approved or released."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True, help="the pay period, as YYYY-MM")

    def handle(self, *args, period: str, **options) -> None:
        try:
            run, problems = services.run_calculate(period, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Payroll {period}: {run.employee_count} payslip(s) calculated "
                f"(run status: {run.status})."
            )
        )
        if problems:
            self.stdout.write(
                self.style.WARNING(f"{len(problems)} person(s) could not be calculated:")
            )
            for problem in problems:
                self.stdout.write(f"  {problem}")
