from celery import shared_task

from ess.reports.digests import digests_send_due


@shared_task(name="reports.send_digests")
def send_digests() -> int:
    return digests_send_due()


@shared_task(name="reports.rollup_tickets")
def rollup_tickets() -> int:
    """Recount today and yesterday of the service desk's daily rollup, and once a night the
    last five weeks (idempotent)."""
    from ess.reports.rollups import refresh_due

    return refresh_due()


@shared_task(name="reports.rollup_teams")
def rollup_teams() -> int:
    """Recount the large teams' My team figures: recent days and acknowledgements, and
    everything once a night or when the reporting lines changed (idempotent)."""
    from ess.reports.team_rollup import refresh_due

    return refresh_due()


@shared_task(name="reports.rollup_searches")
def rollup_searches() -> int:
    """Recount today's and yesterday's portal searches, and everything once a night
    (idempotent)."""
    from ess.reports.search_rollup import refresh_due

    return refresh_due()
