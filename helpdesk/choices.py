"""The choice lists of the agent pages' forms (queues, request types, agents), cached.

Every workspace and ticket page offers the agent's queues, their request types and their
agents. Read from the database they were four statements a page, each a round trip on
PostgreSQL. They change only when the desk's set-up does: a queue, a request type, a
queue's members, or a person's name or active flag. Saving any of those gives the cache a
new generation (the signal receivers below), so the next page reads the lists afresh;
entries also expire after five minutes, which bounds what a web node without a shared
cache can show after another node's change.

Only what the forms *show* comes from here: a model choice field still validates what is
posted against the database (`show_choices`), so a stale list never lets a value through.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from ess.accounts.models import User
from helpdesk.models import Queue, RequestType

GENERATION_KEY = "helpdesk:choices:generation"
TIMEOUT_SECONDS = 300
# Saving only these fields of a person (a sign-in) changes no list.
_UNLISTED_USER_FIELDS = frozenset({"last_login", "password"})


@dataclass(frozen=True)
class QueueChoice:
    pk: int
    name: str
    confidential: bool


@dataclass(frozen=True)
class DeskChoices:
    queues: tuple[QueueChoice, ...]
    request_types: tuple[tuple[int, str], ...]
    # Active agents of the queues, by name: (id, what str(user) shows).
    agents: tuple[tuple[int, str], ...]


def desk_choices(queue_ids: Iterable[int]) -> DeskChoices:
    ids = sorted(set(queue_ids))
    key = f"helpdesk:choices:{_generation()}:{','.join(map(str, ids))}"
    choices = cache.get(key)
    if choices is None:
        choices = _read(ids)
        cache.set(key, choices, TIMEOUT_SECONDS)
    return choices


def show_choices(field, choices: Iterable[tuple[int, str]]) -> None:
    """Let a ModelChoiceField show `choices` instead of reading its queryset to draw them;
    it still validates against the queryset."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *choices]


def _read(queue_ids: list[int]) -> DeskChoices:
    queues = Queue.objects.filter(pk__in=queue_ids).values_list("pk", "name", "confidential")
    request_types = (
        RequestType.objects.filter(queue_id__in=queue_ids)
        .order_by("name")
        .values_list("pk", "name")
    )
    agents = (
        User.objects.filter(helpdesk_queues__in=queue_ids, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
        .values_list("pk", "first_name", "last_name", "email")
    )
    return DeskChoices(
        queues=tuple(QueueChoice(*row) for row in queues),
        request_types=tuple(request_types),
        agents=tuple((pk, f"{first} {last}".strip() or email) for pk, first, last, email in agents),
    )


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Missing (first use, or evicted): a fresh value, never an old one come back.
        generation = uuid.uuid4().hex
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY) or generation
    return generation


def forget_choices(**_kwargs) -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= _UNLISTED_USER_FIELDS:
        return
    forget_choices()


post_save.connect(forget_choices, sender=Queue, dispatch_uid="helpdesk-choices-queue")
post_delete.connect(forget_choices, sender=Queue, dispatch_uid="helpdesk-choices-queue-gone")
post_save.connect(forget_choices, sender=RequestType, dispatch_uid="helpdesk-choices-type")
post_delete.connect(forget_choices, sender=RequestType, dispatch_uid="helpdesk-choices-type-gone")
m2m_changed.connect(
    forget_choices, sender=Queue.agents.through, dispatch_uid="helpdesk-choices-members"
)
post_save.connect(_user_saved, sender=User, dispatch_uid="helpdesk-choices-user")
post_delete.connect(forget_choices, sender=User, dispatch_uid="helpdesk-choices-user-gone")
