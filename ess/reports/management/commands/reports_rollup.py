"""Recount the service desk's daily rollup: the last N days, or everything."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ess.reports import rollups
from ess.reports.periods import report_today


class Command(BaseCommand):
    help = "Recount the service desk's daily counts (the Service desk report reads them)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--days",
            type=int,
            default=rollups.RECENT_DAYS,
            help="Recount the last N days, today included (default: %(default)s).",
        )
        group.add_argument(
            "--all", action="store_true", help="Recount every day from the first ticket on."
        )

    def handle(self, *args, days: int, all: bool, verbosity: int, **options):
        write = self.stdout.write if verbosity > 1 else None
        if all:
            written = rollups.rebuild_all(write=write)
        else:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            today = report_today()
            start = today - datetime.timedelta(days=days - 1)
            written = rollups.rebuild_days(start, today)
        self.stdout.write(self.style.SUCCESS(f"Service desk rollup: {written} rows written."))
