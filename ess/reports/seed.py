"""Demo data for the reports: the service desk's daily rollup, counted from the tickets the
helpdesk seed filed (the reports app comes after it in INSTALLED_APPS)."""

from ess.portal.seeding import SeedContext
from ess.reports.rollups import rebuild_all


def seed_demo(ctx: SeedContext) -> None:
    written = rebuild_all()
    ctx.write(f"  reports: {written} daily rows of the service desk rollup")
