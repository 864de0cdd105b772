"""Who may see and work service desk tickets.

One definition serves lists and single tickets: `visibility_filter` and `work_filter` build
a Q over Ticket from subqueries (queue membership, watchers, approvals, guardian grants), so
`selectors.visible_tickets` and `can_view_ticket` cannot disagree. The per-ticket checks
answer the requester without a query and otherwise ask the database for that one row.

- A normal ticket is seen by its requester, the person it is for, watchers, approvers, the
  agents of its queue and administrators; it is worked by the agents of its queue.
- A confidential ticket is seen by its requester and the person it is for, and otherwise
  only by officers holding `helpdesk.handle_confidential` on the queue or `view_ticket` /
  `change_ticket` on the ticket (user or group grants, read from guardian's direct tables).
  Queue membership, watching, approving and the admin role give nothing here, and the
  requester of a confidential case never works it, even when they are an officer.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q

from ess.accounts.models import User
from ess.accounts.roles import Role
from helpdesk.models import (
    ApprovalRequest,
    ApprovalState,
    Queue,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
    Status,
    Ticket,
    TicketGroupObjectPermission,
    TicketUserObjectPermission,
)

AGENT_ROLES = (Role.IT_AGENT, Role.HR_OFFICER, Role.PAYROLL_OFFICER, Role.ADMIN)

HANDLE_CONFIDENTIAL = "handle_confidential"
VIEW_TICKET = "view_ticket"
CHANGE_TICKET = "change_ticket"

NOTHING = Q(pk__in=[])


def is_agent(user: User) -> bool:
    return user.is_authenticated and user.has_role(*AGENT_ROLES)


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_desk_admin(user: User) -> bool:
    return _signed_in(user) and (user.is_superuser or Role.ADMIN in user.role_names)


def can_manage_desk(user: User) -> bool:
    """Queues, the catalog and canned replies are administered by admins only."""
    return is_desk_admin(user)


# Subqueries. Each is a `.values(<id>)` queryset, so it lands inside the caller's SQL.


def _member_queues(user: User):
    return Queue.agents.through.objects.filter(user_id=user.pk).values("queue_id")


def _groups(user: User):
    return Group.objects.filter(user=user.pk).values("pk")


def _officer_queues_direct(user: User):
    return QueueUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=HANDLE_CONFIDENTIAL
    ).values("content_object_id")


def _officer_queues_by_group(user: User):
    return QueueGroupObjectPermission.objects.filter(
        group_id__in=_groups(user), permission__codename=HANDLE_CONFIDENTIAL
    ).values("content_object_id")


def _granted_tickets_direct(user: User, codenames: tuple[str, ...]):
    return TicketUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename__in=codenames
    ).values("content_object_id")


def _granted_tickets_by_group(user: User, codenames: tuple[str, ...]):
    return TicketGroupObjectPermission.objects.filter(
        group_id__in=_groups(user), permission__codename__in=codenames
    ).values("content_object_id")


def _watched_tickets(user: User):
    return Ticket.watchers.through.objects.filter(user_id=user.pk).values("ticket_id")


def _approving_tickets(user: User):
    role_names = Group.objects.filter(user=user.pk).values("name")
    return ApprovalRequest.objects.filter(
        Q(approver_id=user.pk)
        | Q(decided_by_id=user.pk)
        | Q(approver__isnull=True, role__in=role_names)
    ).values("ticket_id")


def _own(user: User) -> Q:
    return Q(requester_id=user.pk) | Q(on_behalf_of_id=user.pk)


def _officer_of_queue(user: User) -> Q:
    return Q(queue_id__in=_officer_queues_direct(user)) | Q(
        queue_id__in=_officer_queues_by_group(user)
    )


def _granted(user: User, codenames: tuple[str, ...]) -> Q:
    return Q(pk__in=_granted_tickets_direct(user, codenames)) | Q(
        pk__in=_granted_tickets_by_group(user, codenames)
    )


def visibility_filter(user: User) -> Q:
    """The tickets `user` may see, as one condition on Ticket."""
    if not _signed_in(user):
        return NOTHING
    if is_desk_admin(user):
        normal = Q(confidential=False)
    else:
        normal = Q(confidential=False) & (
            Q(queue_id__in=_member_queues(user))
            | Q(pk__in=_watched_tickets(user))
            | Q(pk__in=_approving_tickets(user))
        )
    confidential = Q(confidential=True) & _officer_of_queue(user)
    return _own(user) | _granted(user, (VIEW_TICKET, CHANGE_TICKET)) | normal | confidential


def work_filter(user: User) -> Q:
    """The tickets `user` may work (reply as the desk, note, change, merge)."""
    if not _signed_in(user):
        return NOTHING
    normal = Q(confidential=False) & Q(queue_id__in=_member_queues(user))
    # Officers who filed a case themselves only follow it, as any requester does.
    confidential = Q(confidential=True) & _officer_of_queue(user) & ~_own(user)
    granted = _granted(user, (CHANGE_TICKET,)) & ~(Q(confidential=True) & _own(user))
    return normal | confidential | granted


@dataclass(frozen=True)
class DeskAccess:
    """What a person works on the desk, as plain id sets."""

    member_queue_ids: frozenset[int] = frozenset()  # queues they are an agent of
    officer_queue_ids: frozenset[int] = frozenset()  # confidential queues they handle
    granted_ticket_ids: frozenset[int] = frozenset()  # single tickets granted to change


def desk_access(user: User) -> DeskAccess:
    """The person's queues and grants (direct or through a group), in one statement.

    Written out because every desk page asks it: as ORM queries (five, or UNIONs) their
    compilation alone cost 4 to 5 ms a page, against 0.2 ms for this statement, and on
    PostgreSQL each query is a round trip of its own. Table and column names come from
    the models; only ids and codenames are parameters.
    """
    if not _signed_in(user):
        return DeskAccess()
    quote = connection.ops.quote_name
    members = Queue.agents.through._meta
    user_groups = quote(User.groups.through._meta.db_table)
    permission = (
        f"SELECT ap.id FROM {quote(Permission._meta.db_table)} ap"  # noqa: S608 (model tables)
        f" JOIN {quote(ContentType._meta.db_table)} ct ON ap.content_type_id = ct.id"
        " WHERE ct.app_label = %s AND ap.codename = %s"
    )
    parts = [
        f"SELECT 'member', {quote(members.get_field('queue').column)}"  # noqa: S608
        f" FROM {quote(members.db_table)} WHERE {quote(members.get_field('user').column)} = %s"
    ]
    params: list = [user.pk]
    for kind, codename, by_user, by_group in (
        ("queue", HANDLE_CONFIDENTIAL, QueueUserObjectPermission, QueueGroupObjectPermission),
        ("ticket", CHANGE_TICKET, TicketUserObjectPermission, TicketGroupObjectPermission),
    ):
        parts.append(
            f"SELECT '{kind}', content_object_id FROM {quote(by_user._meta.db_table)}"  # noqa: S608
            f" WHERE user_id = %s AND permission_id IN ({permission})"
        )
        parts.append(
            f"SELECT '{kind}', content_object_id FROM {quote(by_group._meta.db_table)}"  # noqa: S608
            f" WHERE group_id IN (SELECT group_id FROM {user_groups} WHERE user_id = %s)"
            f" AND permission_id IN ({permission})"
        )
        params += [user.pk, "helpdesk", codename] * 2
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()

    def ids(wanted: str) -> frozenset[int]:
        return frozenset(object_id for kind, object_id in rows if kind == wanted)

    return DeskAccess(
        member_queue_ids=ids("member"),
        officer_queue_ids=ids("queue"),
        granted_ticket_ids=ids("ticket"),
    )


def work_filter_listed(user: User, *, access: DeskAccess | None = None) -> Q:
    """`work_filter` with the person's queues and grants read first, as plain id lists.

    The same tickets, but the list query becomes `queue_id IN (…) AND NOT confidential`
    (plus the grants a person really has) instead of an OR over subqueries, which the
    database can answer from the open-work index. For lists over many tickets;
    `can_work_ticket` keeps the one-query form. A caller that has already read the
    person's `desk_access` passes it.
    """
    if not _signed_in(user):
        return NOTHING
    access = desk_access(user) if access is None else access
    parts = []
    if access.member_queue_ids:
        parts.append(Q(confidential=False, queue_id__in=sorted(access.member_queue_ids)))
    if access.officer_queue_ids:
        officer = sorted(access.officer_queue_ids)
        parts.append(Q(confidential=True, queue_id__in=officer) & ~_own(user))
    if access.granted_ticket_ids:
        granted = sorted(access.granted_ticket_ids)
        parts.append(Q(pk__in=granted) & ~(Q(confidential=True) & _own(user)))
    if not parts:
        return NOTHING
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def agent_queue_ids(user: User) -> set[int]:
    """The queues the user is a member of (confidential ones included)."""
    if not _signed_in(user):
        return set()
    return set(_member_queues(user).values_list("queue_id", flat=True))


def officer_queue_ids(user: User) -> set[int]:
    """The confidential queues whose cases the user handles."""
    if not _signed_in(user):
        return set()
    direct = set(_officer_queues_direct(user).values_list("content_object_id", flat=True))
    return direct | set(_officer_queues_by_group(user).values_list("content_object_id", flat=True))


def is_requester_side(user: User, ticket: Ticket) -> bool:
    return _signed_in(user) and user.pk in (ticket.requester_id, ticket.on_behalf_of_id)


def can_view_ticket(user: User, ticket: Ticket) -> bool:
    if not _signed_in(user):
        return False
    if is_requester_side(user, ticket):
        return True
    return Ticket.objects.filter(visibility_filter(user), pk=ticket.pk).exists()


def can_work_ticket(user: User, ticket: Ticket) -> bool:
    if not _signed_in(user):
        return False
    return Ticket.objects.filter(work_filter(user), pk=ticket.pk).exists()


def can_approve(user: User, approval: ApprovalRequest) -> bool:
    """The named approver, or for a role approval any holder of the role; never the people
    the request is from or for."""
    if not _signed_in(user) or approval.state != ApprovalState.PENDING:
        return False
    if approval.ticket.status == Status.CLOSED:  # merged away while waiting
        return False
    if is_requester_side(user, approval.ticket):
        return False
    if approval.approver_id is not None:
        return approval.approver_id == user.pk
    return bool(approval.role) and approval.role in user.role_names


def pending_approval_filter(user: User) -> Q:
    """ApprovalRequest rows waiting for `user` (named, or through a role they hold)."""
    if not _signed_in(user):
        return NOTHING
    role_names = Group.objects.filter(user=user.pk).values("name")
    mine = Q(approver_id=user.pk) | Q(approver__isnull=True, role__in=role_names)
    not_own = ~Q(ticket__requester_id=user.pk) & ~Q(ticket__on_behalf_of_id=user.pk)
    still_open = ~Q(ticket__status=Status.CLOSED)
    return Q(state=ApprovalState.PENDING) & mine & not_own & still_open
