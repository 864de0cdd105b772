"""Recount the report rollups (the service desk's daily counts, the large teams' My team
counts, the portal search's daily counts): the last N days, or everything."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ess.reports import rollups, search_rollup, team_rollup
from ess.reports.periods import report_today


class Command(BaseCommand):
    help = (
        "Recount the service desk's daily counts, the large teams' My team counts and the "
        "search's daily counts (the reports read them)."
    )

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
            teams = team_rollup.rebuild_all(write=write)
            searched = search_rollup.rebuild_all(write=write)
        else:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            today = report_today()
            start = today - datetime.timedelta(days=days - 1)
            written = rollups.rebuild_days(start, today)
            teams = team_rollup.refresh_recent(days=days)
            searched = search_rollup.refresh_recent(days=days)
        self.stdout.write(self.style.SUCCESS(f"Service desk rollup: {written} rows written."))
        self.stdout.write(self.style.SUCCESS(f"Large teams' counts: {teams} rows written."))
        self.stdout.write(self.style.SUCCESS(f"Search rollup: {searched} rows written."))
