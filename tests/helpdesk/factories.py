"""Factories for the service desk. Tickets made here skip the services (no events, no SLA);
tests of behaviour file tickets through `helpdesk.services.ticket_create`."""

import factory

from helpdesk.models import (
    FieldKind,
    FormField,
    Priority,
    Queue,
    RequestType,
    SlaTarget,
    Status,
    Ticket,
)
from tests.factories import UserFactory


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Queue {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class SlaTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaTarget

    queue = factory.SubFactory(QueueFactory)
    priority = Priority.NORMAL
    first_response_minutes = 240
    resolution_minutes = 1440


class RequestTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestType
        django_get_or_create = ("slug",)

    queue = factory.SubFactory(QueueFactory)
    name = factory.Sequence(lambda n: f"Request {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    description = "Ask for something."


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    request_type = factory.SubFactory(RequestTypeFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    kind = FieldKind.TEXT


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    queue = factory.SubFactory(QueueFactory)
    subject = factory.Sequence(lambda n: f"Ticket subject {n}")
    description = "Something is wrong."
    status = Status.NEW
    confidential = factory.LazyAttribute(lambda o: o.queue.confidential)
