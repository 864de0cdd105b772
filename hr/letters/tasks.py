from celery import shared_task

from hr.letters import services


@shared_task(acks_late=True)
def produce_letter(letter_id: int) -> bool:
    return services.letter_produce(letter_id=letter_id)
