from celery import shared_task

from ess.notifications import services


@shared_task(acks_late=True)
def deliver_outbox_message(message_id: int) -> bool:
    return services.outbox_deliver(message_id=message_id)


@shared_task
def relay_outbox() -> int:
    return services.outbox_relay()
