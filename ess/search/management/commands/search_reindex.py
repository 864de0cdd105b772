from django.core.management.base import BaseCommand

from ess.search.services import index_rebuild
from ess.search.sources import registered_sources


class Command(BaseCommand):
    help = "Re-read every document from its source into the search index."

    def add_arguments(self, parser):
        parser.add_argument(
            "--type",
            action="append",
            dest="types",
            choices=sorted(registered_sources()),
            help="only this document type (repeatable)",
        )

    def handle(self, *args, types=None, **options):
        counts = index_rebuild(doc_types=types)
        for doc_type, count in sorted(counts.items()):
            self.stdout.write(f"{doc_type}: {count} documents")
