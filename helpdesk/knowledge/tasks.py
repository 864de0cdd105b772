from celery import shared_task

from helpdesk.knowledge import services


@shared_task
def send_review_reminders() -> int:
    return services.review_reminders_send()
