from django.core.management.base import BaseCommand

from ess.notifications.services import outbox_deliver, outbox_due_ids


class Command(BaseCommand):
    help = "Send every due message in the e-mail outbox now (what the beat job does)."

    def handle(self, *args, **options) -> None:
        ids = outbox_due_ids(limit=10_000)
        sent = sum(outbox_deliver(message_id=message_id) for message_id in ids)
        self.stdout.write(f"{len(ids)} due, {sent} sent, {len(ids) - sent} left for later")
