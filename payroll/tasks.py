"""Payroll's background work. Every task is safe to run twice: the services it calls take
their work with conditional updates, so a redelivered or re-run task finds nothing to do."""

from celery import shared_task

from payroll import services


@shared_task(acks_late=True)
def calculate_run(run_id: int, actor_id: int | None) -> int:
    return services.calculation_perform(run_id=run_id, actor_id=actor_id)


@shared_task(acks_late=True)
def generate_run(run_id: int) -> int:
    """Fan a run's waiting payslips out to render tasks, a chunk each."""
    return services.generation_dispatch(run_id)


@shared_task(acks_late=True)
def render_payslips(payslip_ids: list[int]) -> int:
    return services.render_chunk(payslip_ids)


@shared_task(acks_late=True)
def notify_run(run_id: int) -> int:
    """Tell a released run's employees, a batch per task, until everyone is told."""
    told = services.run_notify_batch(run_id)
    if told:
        notify_run.delay(run_id)
    return told


@shared_task
def release_due_runs() -> list[int]:
    """Every five minutes: release approved runs whose release time has come."""
    released = services.release_due_runs()
    return released


@shared_task
def sweep_unfinished() -> int:
    """Every five minutes: pick up PDFs whose worker died or whose broker was away, and
    notifications a crash interrupted."""
    return services.sweep_unfinished()
