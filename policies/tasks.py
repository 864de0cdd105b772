from celery import shared_task

from policies import services


@shared_task
def send_acknowledgement_requests(version_id: int, user_ids: list[int]) -> int:
    return services.requests_notify(version_id=version_id, user_ids=user_ids)


@shared_task
def daily_policy_jobs() -> dict[str, int]:
    return {
        "requests_created": services.campaigns_sync_all(),
        "reminders_sent": services.reminders_send(),
    }


@shared_task
def weekly_stale_policy_reminders() -> int:
    return services.stale_reminders_send()


@shared_task
def refresh_compliance_rollup(version_id: int) -> None:
    services.rollup_refresh(version_id=version_id)
