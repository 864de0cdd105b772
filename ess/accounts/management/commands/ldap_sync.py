from django.core.management.base import BaseCommand, CommandError

from ess.accounts.ldap import ldap_enabled, ldap_sync


class Command(BaseCommand):
    help = "Update everyone from LDAP; deactivate people who left or are disabled."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        if not ldap_enabled():
            raise CommandError("LDAP is not configured: set LDAP_SERVER_URI (see README).")
        summary = ldap_sync(dry_run=dry_run)
        self.stdout.write("LDAP sync" + (" (dry run: nothing was saved)" if dry_run else ""))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
