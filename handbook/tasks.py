from celery import shared_task

from handbook import services


@shared_task(acks_late=True)
def generate_handbook_pdf(pdf_id: int) -> bool:
    return services.handbook_pdf_generate(pdf_id=pdf_id)


@shared_task
def send_review_reminders() -> int:
    return services.review_reminders_send()
