"""Demo data for the reports: the rollups (the service desk's daily counts, the large teams'
My team counts, the portal search's daily counts), from what the other apps' seeds wrote
(the reports app comes after them in INSTALLED_APPS)."""

from ess.portal.seeding import SeedContext
from ess.reports import rollups, search_rollup, team_rollup


def seed_demo(ctx: SeedContext) -> None:
    written = rollups.rebuild_all()
    ctx.write(f"  reports: {written} daily rows of the service desk rollup")
    written = team_rollup.rebuild_all()
    ctx.write(f"  reports: {written} rows of large teams' My team counts")
    written = search_rollup.rebuild_all()
    ctx.write(f"  reports: {written} daily rows of the search rollup")
