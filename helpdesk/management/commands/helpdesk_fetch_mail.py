"""Read the service desk's mailbox once: replies join their tickets, queue mail opens tickets."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from helpdesk.mail_in import MailboxError, fetch_mail


class Command(BaseCommand):
    help = "Read unseen e-mail from the service desk mailbox (settings.HELPDESK_IMAP)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=200, help="Read at most this many messages (200)."
        )

    def handle(self, *args, limit: int, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        try:
            report = fetch_mail(limit=limit)
        except MailboxError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            f"read {report.read}, appended {report.appended}, opened {report.opened}, "
            f"rejected {report.rejected}, ignored {report.ignored}, "
            f"already handled {report.duplicates}, failed {report.failed}, "
            f"set aside {report.set_aside}"
        )
        for error in report.errors:
            self.stderr.write(f"failed: {error}")
