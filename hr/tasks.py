from celery import shared_task

from hr.profile_services import change_requests_apply_due


@shared_task
def apply_due_change_requests() -> int:
    """Hourly: apply approved personal-data changes whose date has come (exactly once)."""
    return change_requests_apply_due()
