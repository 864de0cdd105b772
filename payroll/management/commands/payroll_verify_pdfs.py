from django.core.management.base import BaseCommand, CommandError

from payroll import services
from payroll.models import Payslip
from payroll.periods import parse_period_code


class Command(BaseCommand):
    help = (
        "Check every stored payslip PDF against the SHA-256 taken when it was produced: "
        "a missing, undecryptable or changed file is reported and the command fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", help="Only this pay period (YYYY-MM).")

    def handle(self, *args, period: str | None, **options) -> None:
        payslips = (
            Payslip.objects.exclude(pdf_name="").only("pk", "pdf_name", "pdf_sha256").order_by("pk")
        )
        if period:
            year, month = parse_period_code(period)
            payslips = payslips.filter(period__year=year, period__month=month)
        checked = broken = 0
        for payslip in payslips.iterator(chunk_size=2000):
            checked += 1
            try:
                services.stored_pdf(payslip)
            except services.PdfIntegrityError as error:
                broken += 1
                self.stderr.write(str(error))
            except Exception as error:  # an undecryptable file is a broken file too
                broken += 1
                self.stderr.write(f"payslip {payslip.pk}: {type(error).__name__}")
        if broken:
            raise CommandError(f"{broken} of {checked} payslip PDFs failed the check.")
        self.stdout.write(self.style.SUCCESS(f"{checked} PDFs checked, all intact."))
