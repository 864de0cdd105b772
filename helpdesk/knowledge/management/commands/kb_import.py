from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ess.accounts.models import User
from helpdesk.knowledge.importing import kb_import_lines


class Command(BaseCommand):
    help = (
        "Import knowledge base articles from a JSON Lines file (one article per line) and "
        "publish them. The whole file is checked first; any problem and nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The .jsonl file to import.")
        parser.add_argument(
            "--owner", default="", help="E-mail address of the owner of new articles."
        )
        parser.add_argument(
            "--space-from-category",
            action="store_true",
            help="The first part of each category names the space (always so; accepted for "
            "scripts that pass it).",
        )

    def handle(self, *args, file: Path, owner: str, **options) -> None:
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email__iexact=owner).first()
            if owner_user is None:
                raise CommandError(f"No user has the e-mail address {owner}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        report = kb_import_lines(data.splitlines(), owner=owner_user)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(report.problems)} problem(s) found in {file}; nothing was imported."
            )
        self.stdout.write(self.style.SUCCESS(f"{file}: {report.summary()}."))
