"""Import salary structures and tax tables from a TOML file (see docs/payroll-structures.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from payroll.structure_file import StructureFileError, parse_structure_file, structure_file_apply


class Command(BaseCommand):
    help = (
        "Check a salary structures file and import it. A file with any problem is reported "
        "in full and changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the TOML file")
        parser.add_argument(
            "--check", action="store_true", help="only check the file; change nothing"
        )

    def handle(self, *args, file: Path, check: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        try:
            parsed = parse_structure_file(data)
        except StructureFileError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            count = len(error.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was changed."
            ) from error
        found = f"{len(parsed.structures)} structure(s) and {len(parsed.tables)} tax table(s)"
        if check:
            self.stdout.write(f"{file} is valid: {found}. Nothing was changed (--check).")
            return
        summary = structure_file_apply(parsed, actor=None)
        self.stdout.write(self.style.SUCCESS(f"Imported {found} from {file}."))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
