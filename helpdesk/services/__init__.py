"""Writes for the service desk: filing, replying, the status machine, approvals, merging,
ratings, confidential grants, the small agent tools (canned replies, saved views) and the
desk's administration.

Every change of a ticket's fields goes through one conditional UPDATE on `version`
(`common._save_guarded`): a writer holding an older version gets `TicketConflict` and
changes nothing. Events are only ever appended. Notifications are written inside the
transaction (the outbox is transactional); internal notes are never e-mailed, and a
confidential ticket's e-mails name only its reference.

Callers import from here (`from helpdesk import services`); the modules hold one subject
each.
"""

from helpdesk.services.admin import (
    business_hours_add,
    business_hours_remove,
    canned_reply_remove,
    canned_reply_save,
    form_field_move,
    form_field_remove,
    form_field_save,
    holiday_add,
    holiday_remove,
    queue_officer_grant,
    queue_officer_revoke,
    queue_save,
    request_type_save,
    sla_target_remove,
    sla_target_save,
)
from helpdesk.services.approvals import approval_decide
from helpdesk.services.bulk import BulkResult, ticket_merge, tickets_bulk_update
from helpdesk.services.canned import PLACEHOLDER, canned_reply_render
from helpdesk.services.common import UNSET, TicketConflict, TransitionNotAllowed
from helpdesk.services.confidential import confidential_grant, confidential_revoke
from helpdesk.services.conversation import ticket_note, ticket_reply
from helpdesk.services.deflections import deflection_record
from helpdesk.services.filing import SUBJECT_MAX_LENGTH, ticket_create
from helpdesk.services.knowledge import kcs_draft_from_ticket
from helpdesk.services.links import ticket_link, ticket_unlink, watcher_add, watcher_remove
from helpdesk.services.mail import reply_address, thread_headers, ticket_from_reply_address
from helpdesk.services.ratings import (
    RATING_MAX_AGE,
    RATING_SALT,
    rating_token_read,
    rating_url,
    ticket_rate,
)
from helpdesk.services.saved_views import SAVED_VIEW_KEYS, saved_view_delete, saved_view_save
from helpdesk.services.tickets import ALLOWED_TRANSITIONS, ticket_update

__all__ = [
    "ALLOWED_TRANSITIONS",
    "PLACEHOLDER",
    "RATING_MAX_AGE",
    "RATING_SALT",
    "SAVED_VIEW_KEYS",
    "SUBJECT_MAX_LENGTH",
    "UNSET",
    "BulkResult",
    "TicketConflict",
    "TransitionNotAllowed",
    "approval_decide",
    "business_hours_add",
    "business_hours_remove",
    "canned_reply_remove",
    "canned_reply_render",
    "canned_reply_save",
    "confidential_grant",
    "confidential_revoke",
    "deflection_record",
    "form_field_move",
    "form_field_remove",
    "form_field_save",
    "holiday_add",
    "holiday_remove",
    "kcs_draft_from_ticket",
    "queue_officer_grant",
    "queue_officer_revoke",
    "queue_save",
    "rating_token_read",
    "rating_url",
    "reply_address",
    "request_type_save",
    "saved_view_delete",
    "saved_view_save",
    "sla_target_remove",
    "sla_target_save",
    "thread_headers",
    "ticket_create",
    "ticket_from_reply_address",
    "ticket_link",
    "ticket_merge",
    "ticket_note",
    "ticket_rate",
    "ticket_reply",
    "ticket_unlink",
    "ticket_update",
    "tickets_bulk_update",
    "watcher_add",
    "watcher_remove",
]
