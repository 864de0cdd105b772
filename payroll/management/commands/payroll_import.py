from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ess.accounts.models import User
from payroll.importing import MAX_BYTES, parse_payroll_csv
from payroll.periods import parse_period_code
from payroll.permissions import is_payroll_officer
from payroll.services import run_import


class Command(BaseCommand):
    help = (
        "Import a pay period from an external payroll system's CSV file into its draft run. "
        "A file with any problem changes nothing; see docs/payroll-import.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8, comma or semicolon separated).")
        parser.add_argument("--period", required=True, help="The pay period, like 2026-10.")
        parser.add_argument(
            "--as",
            dest="actor_email",
            metavar="EMAIL",
            help="The payroll officer doing the import (default: the system).",
        )

    def handle(self, *args, file: str, period: str, actor_email: str | None, **options) -> None:
        try:
            parse_period_code(period)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        actor = _officer(actor_email) if actor_email else None
        path = Path(file)
        try:
            with path.open("rb") as handle:
                # One byte past the limit is enough for the parser to refuse the file.
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

        result = parse_payroll_csv(data, file_name=path.name)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: {_counted(len(result.problems), 'problem')}; nothing was imported."
            )
        try:
            run = run_import(period_code=period, result=result, file_name=path.name, actor=actor)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Imported {_counted(len(result.slips), 'payslip')} with "
            f"{_counted(result.line_count, 'line')} into period {run.period.code}."
        )


def _officer(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user has the e-mail address {email}.")
    if not (user.is_active and is_payroll_officer(user)):
        raise CommandError(f"{email} is not an active payroll officer.")
    return user


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
