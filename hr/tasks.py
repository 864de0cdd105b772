import logging

from celery import shared_task

from hr.models import Employee
from hr.org import org_paths_rebuild
from hr.profile_services import change_requests_apply_due

logger = logging.getLogger(__name__)


@shared_task
def apply_due_change_requests() -> int:
    """Hourly: apply approved personal-data changes whose date has come (exactly once)."""
    return change_requests_apply_due()


@shared_task
def rebuild_org_paths() -> int:
    """Nightly: repair reporting lines that bypassed Employee.save() (bulk imports, deletes)."""
    repaired = org_paths_rebuild(Employee)
    if repaired:
        logger.warning("Repaired the reporting line of %s employees", repaired)
    return repaired
