"""Reads for the directory, the org chart and My team.

Everything here returns work data only: name, job title, department, location, work e-mail,
work phone and manager. Querysets are narrowed with `.only()` so that not even the password
hash or contract details leave the database; the private side of a person (PersonalProfile,
Compensation, emergency contacts) is never joined.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ess.accounts.models import User
from hr.models import Department, Employee, Location
from hr.org import path_ids, subtree_filter

# The columns a directory row may read; anything else would be a deferred load per row.
WORK_FIELDS = (
    "job_title",
    "work_phone",
    "org_path",
    "start_date",
    "end_date",
    "department__name",
    "location__name",
    "user__first_name",
    "user__last_name",
    "user__email",
)
MANAGER_FIELDS = (
    "manager__start_date",
    "manager__end_date",
    "manager__user__first_name",
    "manager__user__last_name",
    "manager__user__email",
)
USER_FIELDS = ("user__first_name", "user__last_name", "user__email")
NAME_ORDER = ("user__last_name", "user__first_name", "pk")


def is_current_filter(today: datetime.date) -> Q:
    """Started, and not yet past their last working day (the end date itself still counts)."""
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def is_current(employee: Employee | None, today: datetime.date | None = None) -> bool:
    """The same rule for a row already loaded (a manager from `select_related`)."""
    if employee is None:
        return False
    today = today or timezone.localdate()
    return employee.start_date <= today and (
        employee.end_date is None or employee.end_date >= today
    )


def current_employees(*, today: datetime.date | None = None) -> QuerySet[Employee]:
    return Employee.objects.filter(is_current_filter(today or timezone.localdate()))


def _work_rows(queryset: QuerySet[Employee], *, with_manager: bool = False) -> QuerySet[Employee]:
    """Rows joined to everything they show: for one person or a few dozen."""
    related = ["user", "department", "location"]
    fields = list(WORK_FIELDS)
    if with_manager:
        related.append("manager__user")
        fields.extend(MANAGER_FIELDS)
    return queryset.select_related(*related).only(*fields)


def _named_rows(queryset: QuerySet[Employee], *fields: str) -> QuerySet[Employee]:
    """Many rows: only the user is joined; departments and locations (a few dozen rows) come
    by primary key afterwards and are shared between the people in them."""
    return (
        queryset.select_related("user")
        .only("job_title", "department", "location", *USER_FIELDS, *fields)
        .prefetch_related(
            Prefetch("department", queryset=Department.objects.only("name")),
            Prefetch("location", queryset=Location.objects.only("name")),
        )
    )


def _list_rows(queryset: QuerySet[Employee], *, today: datetime.date) -> QuerySet[Employee]:
    """Rows for a sorted, paginated list of thousands. Only the user is joined (the sort
    needs the name); department, location and manager come by primary key for the one page
    shown, so the database does not join them for every person before sorting."""
    managers = (
        Employee.objects.select_related("user")
        .only("start_date", "end_date", *USER_FIELDS)
        .annotate(is_current=ExpressionWrapper(is_current_filter(today), BooleanField()))
    )
    return _named_rows(queryset, "work_phone", "manager").prefetch_related(
        Prefetch("manager", queryset=managers)
    )


def report_count(today: datetime.date) -> Coalesce:
    """Current direct reports of each row, as a correlated count (uses the manager index)."""
    reports = (
        current_employees(today=today)
        .filter(manager=OuterRef("pk"))
        .order_by()
        .values("manager")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(reports, output_field=IntegerField()), Value(0))


# --- departments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentTree:
    """All departments, loaded once: labels for a filter and sub-department lookups."""

    names: dict[int, str]
    parents: dict[int, int | None]
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "DepartmentTree":
        rows = list(Department.objects.order_by().values_list("pk", "name", "parent_id"))
        children: dict[int, list[int]] = {}
        for pk, _name, parent in rows:
            if parent is not None:
                children.setdefault(parent, []).append(pk)
        return cls(
            names={pk: name for pk, name, _ in rows},
            parents={pk: parent for pk, _, parent in rows},
            children=children,
        )

    def with_descendants(self, pk: int) -> set[int]:
        found, frontier = {pk}, [pk]
        while frontier:
            current = frontier.pop()
            for child in self.children.get(current, []):
                if child not in found:  # a loop in bad data ends here
                    found.add(child)
                    frontier.append(child)
        return found

    def path(self, pk: int) -> list[str]:
        names, seen, current = [], set(), pk
        while current is not None and current not in seen:
            seen.add(current)
            names.append(self.names[current])
            current = self.parents.get(current)
        return names[::-1]

    def choices(self) -> list[tuple[str, str]]:
        """Every department labelled with its path ("Operations / Warehousing"), in tree
        order; the company itself is left out of the labels when it is the only root."""
        roots = [pk for pk, parent in self.parents.items() if parent is None]
        skip = 1 if len(roots) == 1 else 0
        labelled = []
        for pk in self.names:
            path = self.path(pk)
            label = " / ".join(path[skip:]) or path[-1]
            labelled.append((path, str(pk), label))
        labelled.sort(key=lambda item: [name.casefold() for name in item[0]])
        return [(value, label) for _path, value, label in labelled]


# --- directory -------------------------------------------------------------------------------


def directory_people(*, viewer: User, today: datetime.date | None = None) -> QuerySet[Employee]:
    """Everyone currently employed, as directory rows. Every signed-in person may search."""
    del viewer  # the whole directory is open to every employee; kept for the selector shape
    today = today or timezone.localdate()
    return _list_rows(current_employees(today=today), today=today).order_by(*NAME_ORDER)


def _spellings(word: str) -> set[str]:
    """SQLite compares only ASCII letters without regard to case, so "ødegård" would miss
    "Ødegård": non-ASCII words are also tried capitalised and in capitals."""
    if word.isascii():
        return {word}
    return {word, word.lower(), word.capitalize(), word.upper()}


# Up to this many matching people are looked up by id; a broader search ("a") stays a
# subquery rather than a statement with thousands of parameters.
NAME_MATCHES_INLINE = 500


def name_search(queryset: QuerySet[Employee], text: str) -> QuerySet[Employee]:
    """Every word must appear in the first name, last name or work e-mail.

    The words are matched on the user table alone, in one pass, and the employees fetched by
    their (indexed) user id. The matching ids are read once, so that the count and the page
    do not each scan every name again."""
    matches = Q()
    for word in text.split()[:5]:
        any_field = Q()
        for spelling in _spellings(word):
            any_field |= (
                Q(first_name__icontains=spelling)
                | Q(last_name__icontains=spelling)
                | Q(email__icontains=spelling)
            )
        matches &= any_field
    if not matches:
        return queryset
    users = User.objects.filter(matches).order_by().values_list("pk", flat=True)
    found = list(users[: NAME_MATCHES_INLINE + 1])
    if len(found) > NAME_MATCHES_INLINE:
        return queryset.filter(user__in=users)
    return queryset.filter(user__in=found)


def person_card(*, viewer: User, pk: int, today: datetime.date | None = None) -> Employee:
    """One current colleague with their manager and the number of direct reports."""
    del viewer
    today = today or timezone.localdate()
    people = _work_rows(current_employees(today=today), with_manager=True)
    people = people.select_related("department__parent").only(
        *WORK_FIELDS, *MANAGER_FIELDS, "department__parent__name"
    )
    return get_object_or_404(people.annotate(report_count=report_count(today)), pk=pk)


# --- org chart -------------------------------------------------------------------------------


# A chart shows this many direct reports until asked for all: a department head with two
# hundred team leads gets a readable page (and a fast one).
REPORTS_SHOWN = 48


@dataclass(frozen=True)
class OrgChart:
    person: Employee  # with `report_count`: all their current direct reports
    chain: list[Employee]  # from the top of the company down to the person's manager
    reports: list[Employee]  # direct reports (the first REPORTS_SHOWN), each with `report_count`
    team_size: int  # everyone under the person, at any depth

    @property
    def more_reports(self) -> int:
        return self.person.report_count - len(self.reports)


def org_chart(
    *,
    viewer: User,
    pk: int | None,
    all_reports: bool = False,
    today: datetime.date | None = None,
) -> OrgChart | None:
    """The chart around one person in six queries, however deep or wide the company:
    the person, their reporting line (ids from `org_path`), their direct reports with a
    report count each (and those reports' departments and locations), and the size of their
    whole subtree. None only when nobody works here yet and no one was asked for."""
    today = today or timezone.localdate()
    people = _work_rows(current_employees(today=today)).annotate(report_count=report_count(today))
    if pk is None:
        person = _default_centre(viewer=viewer, people=people)
        if person is None:
            return None
    else:
        person = get_object_or_404(people, pk=pk)
    chain_ids = path_ids(person.org_path)[:-1] if person.org_path else []
    chain = _work_rows(current_employees(today=today)).filter(pk__in=chain_ids)
    by_id = {boss.pk: boss for boss in chain} if chain_ids else {}
    reports = (
        _named_rows(current_employees(today=today).filter(manager=person))
        .annotate(report_count=report_count(today))
        .order_by(*NAME_ORDER)
    )
    reports = list(reports if all_reports else reports[:REPORTS_SHOWN])
    team_size = person.report_count
    if reports and person.org_path:
        team_size = (
            current_employees(today=today)
            .filter(subtree_filter(person.org_path, include_self=False))
            .count()
        )
    return OrgChart(
        person=person,
        chain=[by_id[pk] for pk in chain_ids if pk in by_id],
        reports=reports,
        team_size=team_size,
    )


def _default_centre(*, viewer: User, people: QuerySet[Employee]) -> Employee | None:
    """The viewer themselves, or (for accounts without a current record) the top."""
    own = people.filter(user=viewer).first()
    if own is not None:
        return own
    return people.filter(manager__isnull=True).order_by("pk").first()


# --- My team ---------------------------------------------------------------------------------


def team_manager(*, user: User) -> Employee | None:
    """The manager's own employment record (None for a role holder without one)."""
    return Employee.objects.filter(user=user).only("org_path").order_by().first()


def team_members(*, manager: Employee | None, today: datetime.date | None = None):
    """Direct and indirect reports who work here now, as directory rows, with `is_direct`."""
    if manager is None or not manager.org_path:
        return Employee.objects.none()
    today = today or timezone.localdate()
    team = current_employees(today=today).filter(
        subtree_filter(manager.org_path, include_self=False)
    )
    return (
        _list_rows(team, today=today)
        .annotate(
            is_direct=ExpressionWrapper(Q(manager_id=manager.pk), output_field=BooleanField())
        )
        .order_by(*NAME_ORDER)
    )
