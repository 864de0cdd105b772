import csv
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hr.benefits import services
from hr.benefits.models import Dependent, LifeEvent, Plan
from tests.benefits.factories import (
    EXTRA_LEAVE_LEVELS,
    DependentFactory,
    LifeEventFactory,
    PlanFactory,
    open_window,
)
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(employee):
    """Emma's benefits: an open window, a plan, a dependent and a pending life event."""
    window = open_window()
    plan = PlanFactory(name="Health")
    return SimpleNamespace(
        window=window,
        year=window.plan_year,
        plan=plan,
        level=plan.levels.first(),
        dependent=DependentFactory(employee=employee.employee),
        event=LifeEventFactory(employee=employee.employee),
        employee=employee.employee,
    )


@pytest.fixture
def leave_request(world, employee, manager):
    """Emma asks to buy extra leave; Mila (the manager) has to decide."""
    plan = PlanFactory(
        name="Buy extra leave", category=Plan.Category.EXTRA_LEAVE, levels=EXTRA_LEAVE_LEVELS
    )
    return services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=world.year,
        coverage_level=plan.levels.get(),
        actor=employee,
    )


def _url(name, *parts, fixture="ids"):
    """A URL whose arguments are attributes of the world (or another fixture)."""

    def build(request):
        thing = request.getfixturevalue(fixture)
        args = [getattr(thing, part, part) if isinstance(part, str) else part for part in parts]
        return reverse(name, args=args)

    build.__name__ = f"{name}({','.join(map(str, parts))})"
    return build


EVERYONE = {
    "anonymous": 302,
    "employee": 200,
    "other_employee": 200,
    "manager": 200,
    "hr_officer": 200,
    "payroll_officer": 200,
}
OWNER_ONLY = {
    "anonymous": 302,
    "employee": 200,
    "other_employee": 404,
    "manager": 404,
    "hr_officer": 404,
    "payroll_officer": 404,
}
OWNER_AND_HR = {**OWNER_ONLY, "hr_officer": 200}
HR_ONLY = {
    "anonymous": 302,
    "employee": 404,
    "other_employee": 404,
    "manager": 404,
    "hr_officer": 200,
    "payroll_officer": 404,
}
HR_POSTS = {**HR_ONLY, "hr_officer": 302}


MATRIX = [
    Row(_url("benefits:home"), EVERYONE),
    Row(_url("benefits:year", "year"), EVERYONE),
    Row(_url("benefits:year", 1999), {"employee": 404, "hr_officer": 404}),
    Row(_url("benefits:elect", "year", 0), {"employee": 404}),
    Row(_url("benefits:elect", "year", "plan_pk"), EVERYONE),
    Row(_url("benefits:statement", "employee_pk", "year"), OWNER_AND_HR),
    Row(_url("benefits:dependents"), EVERYONE),
    Row(_url("benefits:dependent_edit", "dependent_pk"), OWNER_ONLY),
    Row(
        _url("benefits:dependent_remove", "dependent_pk"),
        {**OWNER_ONLY, "employee": 302},
        method="post",
    ),
    Row(_url("benefits:life_events"), EVERYONE),
    Row(_url("benefits:life_event_new"), EVERYONE),
    Row(_url("benefits:life_event", "event_pk"), OWNER_AND_HR),
    Row(
        _url("benefits:life_event_attach", "event_pk"),
        {**OWNER_ONLY, "employee": 302},
        method="post",
    ),
    Row(
        _url("benefits:life_event_decide", "event_pk", "approve"),
        HR_POSTS,
        method="post",
    ),
    Row(
        _url("benefits:life_event_decide", "event_pk", "explode"),
        {"hr_officer": 404},
        method="post",
    ),
    Row(
        _url("benefits:team"),
        {
            "anonymous": 302,
            "employee": 404,
            "other_employee": 404,
            "manager": 200,
            "hr_officer": 404,
            "payroll_officer": 404,
        },
    ),
    Row(
        _url("benefits:team_decide", "pk", "approve", fixture="leave_request"),
        {
            "anonymous": 302,
            "employee": 404,
            "other_employee": 404,
            "manager": 302,
            "hr_officer": 404,
            "payroll_officer": 404,
        },
        method="post",
        data={"seen": "2026-01-01T00:00:00+00:00"},
    ),
    Row(_url("benefits:manage"), HR_ONLY),
    Row(_url("benefits:manage_plan_new"), HR_ONLY),
    Row(_url("benefits:manage_plan", "plan_pk"), HR_ONLY),
    Row(_url("benefits:manage_plan_edit", "plan_pk"), HR_ONLY),
    Row(_url("benefits:manage_level", "level_pk"), HR_ONLY),
    Row(
        _url("benefits:manage_level_remove", "level_pk"),
        HR_POSTS,
        method="post",
    ),
    Row(_url("benefits:manage_window_new"), HR_ONLY),
    Row(_url("benefits:manage_window", "window_pk"), HR_ONLY),
    Row(_url("benefits:manage_enrolment"), HR_ONLY),
    Row(_url("benefits:manage_life_events"), HR_ONLY),
    Row(_url("benefits:manage_employee", "employee_pk"), HR_ONLY),
]


@pytest.fixture
def ids(world):
    return SimpleNamespace(
        employee_pk=world.employee.pk,
        year=world.year,
        dependent_pk=world.dependent.pk,
        event_pk=world.event.pk,
        plan_pk=world.plan.pk,
        level_pk=world.plan.levels.get(name="Family").pk,
        window_pk=world.window.pk,
    )


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


# --- hostile input --------------------------------------------------------------------------
def test_markup_in_a_dependents_name_is_shown_as_text(client, employee, hr_officer):
    client.force_login(employee)
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(
        reverse("benefits:dependents"),
        {"full_name": name, "relationship": "child", "date_of_birth": "2019-03-04"},
    )
    assert response.status_code == 302
    html = client.get(reverse("benefits:dependents")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    client.force_login(hr_officer)
    page = client.get(reverse("benefits:manage_employee", args=[employee.employee.pk]))
    assert "<script>alert" not in page.content.decode()


def test_overlong_and_impossible_values_are_form_errors_not_crashes(client, employee, hr_officer):
    client.force_login(employee)
    response = client.post(
        reverse("benefits:dependents"),
        {"full_name": "x" * 151, "relationship": "child", "date_of_birth": "2019-03-04"},
    )
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    response = client.post(
        reverse("benefits:dependents"),
        {"full_name": "Ann", "relationship": "cousin", "date_of_birth": "3019-03-04"},
    )
    assert response.status_code == 200
    response = client.post(
        reverse("benefits:dependents"),
        {"full_name": "Ann", "relationship": "child", "date_of_birth": "2999-01-01"},
    )
    assert "in the future" in response.content.decode()
    response = client.post(
        reverse("benefits:life_event_new"),
        {"kind": "birth", "event_date": "2026-01-01", "description": "d" * 1001},
    )
    assert response.status_code == 200
    assert not Dependent.objects.exists()
    assert not LifeEvent.objects.exists()
    client.force_login(hr_officer)
    response = client.post(
        reverse("benefits:manage_plan_new"),
        {"name": "n" * 151, "category": "health", "currency": "EURO"},
    )
    assert response.status_code == 200
    assert not Plan.objects.exists()


def test_negative_prices_and_bad_windows_are_refused(client, hr_officer, world):
    client.force_login(hr_officer)
    response = client.post(
        reverse("benefits:manage_plan", args=[world.plan.pk]),
        {
            "name": "Free money",
            "covers": "employee",
            "employee_monthly_cost": "-5",
            "employer_monthly_contribution": "1",
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert not world.plan.levels.filter(name="Free money").exists()
    response = client.post(
        reverse("benefits:manage_window_new"),
        {"plan_year": world.year + 1, "opens_on": "2030-02-01", "closes_on": "2030-01-01"},
    )
    assert "closes before it opens" in response.content.decode()
    overlapping = client.post(
        reverse("benefits:manage_window_new"),
        {
            "plan_year": world.year + 1,
            "opens_on": world.window.opens_on.isoformat(),
            "closes_on": world.window.closes_on.isoformat(),
        },
    )
    assert "overlaps" in overlapping.content.decode()


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("benefits:manage_enrolment", "sort=employee__user__password"),
        ("benefits:manage_enrolment", "sort=-nope"),
        ("benefits:manage_enrolment", "_export=html"),
        ("benefits:manage_enrolment", "plan=1%20OR%201=1"),
        ("benefits:manage_enrolment", "status=<script>"),
        ("benefits:manage_enrolment", "department=999999"),
        ("benefits:manage_enrolment", "plan_year=1999"),
        ("benefits:manage_enrolment", "coverage_level=abc"),
        ("benefits:manage_life_events", "sort=decision_note"),
        ("benefits:manage_life_events", "status=secret"),
        ("benefits:manage_life_events", "location=x"),
    ],
)
def test_client_chosen_sort_and_filter_keys_are_refused_with_400(
    client, hr_officer, world, name, query
):
    client.force_login(hr_officer)
    response = client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 400


def test_unknown_filter_keys_are_ignored_and_known_ones_filter(client, hr_officer, world):
    client.force_login(hr_officer)
    services.election_make(
        employee=world.employee,
        plan=world.plan,
        plan_year=world.year,
        coverage_level=world.level,
        actor=world.employee.user,
    )
    response = client.get(
        reverse("benefits:manage_enrolment"),
        {"employee__user__password__startswith": "pbkdf2", "status": "enrolled"},
    )
    assert response.status_code == 200
    assert response.context["table"].page.paginator.count == 1
    response = client.get(reverse("benefits:manage_enrolment"), {"status": "waived"})
    assert response.context["table"].page.paginator.count == 0


# --- the enrolment report -------------------------------------------------------------------
def _enrol_many(world, count=6):
    people = [world.employee] + [EmployeeFactory() for _ in range(count - 1)]
    for index, person in enumerate(people):
        level = world.plan.levels.get(name="Employee only") if index % 2 else None
        services.election_make(
            employee=person,
            plan=world.plan,
            plan_year=world.year,
            coverage_level=level,
            actor=person.user,
        )
    return people


def test_enrolment_report_counts_levels_and_exports_csv(client, hr_officer, world):
    people = _enrol_many(world)
    client.force_login(hr_officer)
    page = client.get(reverse("benefits:manage_enrolment"))
    summary = page.context["summary"]
    assert [plan["name"] for plan in summary] == ["Health"]
    counts = {
        (row["coverage_level__name"], row["status"]): row["people"] for row in summary[0]["rows"]
    }
    assert counts == {("Employee only", "enrolled"): 3, (None, "waived"): 3}
    response = client.get(reverse("benefits:manage_enrolment"), {"_export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Employee", "Employee number", "Department", "Location"]
    assert "Employee pays per month" in rows[0]
    assert len(rows) == 1 + len(people)
    numbers = {row[1] for row in rows[1:]}
    assert numbers == {person.employee_number for person in people}
    cost = rows[0].index("Employee pays per month")
    assert sorted({row[cost] for row in rows[1:]}) == ["0.00", "20.00"]
    assert "<a href" not in response.content.decode()
    xlsx = client.get(reverse("benefits:manage_enrolment"), {"_export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == rows[0]
    assert len(table) == len(rows)
    # Sorted like the page: by the client's (allowed) sort key.
    by_cost = client.get(
        reverse("benefits:manage_enrolment"), {"_export": "csv", "sort": "-employee_monthly_cost"}
    )
    ordered = list(csv.reader(io.StringIO(by_cost.content.decode())))[1:]
    assert [row[cost] for row in ordered] == sorted((row[cost] for row in ordered), reverse=True)


def test_enrolment_filters_by_department_with_sub_departments(client, hr_officer, world):
    people = _enrol_many(world)
    parent = DepartmentFactory(name="Operations")
    child = DepartmentFactory(name="Warehousing", parent=parent)
    people[1].department = child
    people[1].save()
    client.force_login(hr_officer)
    response = client.get(reverse("benefits:manage_enrolment"), {"department": parent.pk})
    assert [r.employee_id for r in response.context["table"].page.object_list.data] == [
        people[1].pk
    ]


# --- query ceilings (at least five rows each) -----------------------------------------------
FRAME = "session, user, roles, frame: notifications bell, policy-owner check"


def test_year_page_query_count_is_fixed(client, employee, world, django_assert_max_num_queries):
    for index in range(5):
        plan = PlanFactory(name=f"Plan {index}")
        partner = DependentFactory(employee=world.employee, full_name=f"P{index}")
        services.election_make(
            employee=world.employee,
            plan=plan,
            plan_year=world.year,
            coverage_level=plan.levels.get(name="Employee and partner"),
            dependents=[partner],
            actor=employee,
        )
    client.force_login(employee)
    # FRAME (5) + employee, window, elections, their dependents, department tree, plans,
    # levels, plan locations, plan departments, change period: windows + life events
    with django_assert_max_num_queries(16):
        response = client.get(reverse("benefits:year", args=[world.year]))
    assert response.content.decode().count("Employee and partner") >= 5


def test_dependents_page_query_count_is_fixed(
    client, employee, world, django_assert_max_num_queries
):
    for index in range(5):
        DependentFactory(employee=world.employee, full_name=f"Child {index}", relationship="child")
    client.force_login(employee)
    # FRAME (5) + employee, dependents
    with django_assert_max_num_queries(7):
        html = client.get(reverse("benefits:dependents")).content.decode()
    assert html.count('<th scope="row">Child ') == 5


def test_life_event_pages_query_counts_are_fixed(
    client, employee, hr_officer, world, django_assert_max_num_queries
):
    kinds = ["move", "partnership", "death", "separation", "loss_of_coverage"]
    for kind in kinds:
        LifeEventFactory(employee=world.employee, kind=kind)
    client.force_login(employee)
    # FRAME (5) + employee, life events (with who decided)
    with django_assert_max_num_queries(7):
        client.get(reverse("benefits:life_events"))
    client.force_login(hr_officer)
    # FRAME (5, MFA check instead of the policy-owner one) + count (paginator), count
    # (empty check), locations for the filter, life events with employee, department,
    # location and decider
    with django_assert_max_num_queries(9):
        response = client.get(reverse("benefits:manage_life_events"))
    assert response.context["table"].page.paginator.count == 6


def test_team_page_query_count_is_fixed(
    client, manager, world, leave_request, django_assert_max_num_queries
):
    for _index in range(5):
        person = EmployeeFactory(manager=manager.employee)
        services.election_make(
            employee=person,
            plan=leave_request.plan,
            plan_year=world.year,
            coverage_level=leave_request.coverage_level,
            actor=person.user,
        )
    client.force_login(manager)
    # session, user, roles, bell + the manager's reporting-line path, pending requests with
    # employee, user, plan and level
    with django_assert_max_num_queries(6):
        html = client.get(reverse("benefits:team")).content.decode()
    assert html.count('<th scope="row">') == 6


def test_hr_pages_query_counts_are_fixed(client, hr_officer, world, django_assert_max_num_queries):
    _enrol_many(world, count=6)
    for index in range(5):
        PlanFactory(name=f"Extra plan {index}")
    for index in range(4):
        world.plan.levels.create(
            name=f"Level {index}", employee_monthly_cost=1, employer_monthly_contribution=1
        )
    client.force_login(hr_officer)
    # FRAME (4: no policy-owner check, an MFA check) + pending life events, plans with level
    # counts, windows
    with django_assert_max_num_queries(8):
        client.get(reverse("benefits:manage"))
    # FRAME (5) + default year, filter year choices (2), plans, levels, departments,
    # locations (filter form), count (paginator), count (empty check), summary, elections
    with django_assert_max_num_queries(16):
        response = client.get(reverse("benefits:manage_enrolment"))
    assert response.context["table"].page.paginator.count == 6
    # FRAME (5) + employee, years, elections, their dependents, dependents, life events
    with django_assert_max_num_queries(11):
        client.get(reverse("benefits:manage_employee", args=[world.employee.pk]))
    # FRAME (5) + plan, levels, plan locations, plan departments
    with django_assert_max_num_queries(9):
        html = client.get(reverse("benefits:manage_plan", args=[world.plan.pk])).content.decode()
    assert html.count('<th scope="row">Level ') == 4
