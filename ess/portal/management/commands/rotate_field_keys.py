from django.core.management.base import BaseCommand

from ess.crypto_rotation import field_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column and registered file under the first key in "
        "ESS_FIELD_KEYS. Afterwards the older keys can be removed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        self.verbosity = options["verbosity"]
        for label, count in field_keys_rotate(batch_size=batch_size, progress=self._progress):
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write(self.style.SUCCESS("All encrypted data now uses the first key."))

    def _progress(self, label: str, done: int, total: int) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"  {label}: {done}/{total}")
