from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new key for ESS_FIELD_KEYS (put it first, then run rotate_field_keys)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(Fernet.generate_key().decode())
