"""Beat jobs of the service desk; each is a thin shell around one function."""

from celery import shared_task

from helpdesk import sla
from helpdesk.mail_in import fetch_mail_task  # noqa: F401  (registers "helpdesk.fetch_mail")


@shared_task(name="helpdesk.sla_sweep")
def sla_sweep_task() -> dict[str, int]:
    return sla.sla_sweep()


@shared_task(name="helpdesk.close_resolved")
def close_resolved_task() -> int:
    return sla.close_resolved()
