"""The Service desk report: hand-counted figures from the rollup and live, scoping of
confidential work, date edges, query ceilings, exports, escaping, and the rollup itself
(idempotent, equal to live counts)."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from ess.accounts.roles import Role
from ess.reports import rollups
from ess.reports.desk import viewer_scope
from ess.reports.models import (
    RollupRun,
    TicketAgentDay,
    TicketDay,
    TicketRequesterAgentDay,
    TicketRequesterDay,
)
from ess.reports.periods import Period
from helpdesk.models import Deflection, Priority, Status
from hr.models import Employee
from tests.conftest import _role_holder
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory, UserFactory
from tests.helpdesk.factories import QueueFactory, RequestTypeFactory, TicketFactory

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
OCTOBER = {"start": "2025-10-01", "end": "2025-10-31"}
NOVEMBER = {"start": "2025-11-01", "end": "2025-11-30"}
PAGE = reverse("reports:report", args=["desk"])


def at(day: int, hour: int = 10, minute: int = 0, month: int = 10) -> datetime.datetime:
    """A moment of 2025 in Amsterdam."""
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=AMS)


def drill(key: str) -> str:
    return reverse("reports:drill", args=["desk", key])


def figures(response) -> dict:
    return {figure.key: figure.value for figure in response.context["page"].figures}


def table(response, key: str):
    return next(t for t in response.context["page"].tables if t.key == key)


@pytest.fixture
def desk(db, it_agent, hr_officer):
    """IT (it_agent), Facilities (another agent, `lead` leads it without being a member),
    and a confidential HR cases queue: hr_officer is a member, `officer` is cleared."""
    it = QueueFactory(name="IT", slug="it")
    it.agents.add(it_agent)
    lead = _role_holder("lena@example.org", Role.IT_AGENT)
    facilities = QueueFactory(name="Facilities", slug="facilities", lead=lead)
    facilities.agents.add(_role_holder("fenna@example.org", Role.IT_AGENT))
    cases = QueueFactory(name="HR cases", slug="hr-cases", confidential=True)
    officer = _role_holder("carla@example.org", Role.HR_OFFICER)
    cases.agents.add(hr_officer, officer)
    assign_perm("helpdesk.handle_confidential", officer, cases)
    return {
        "it": it,
        "facilities": facilities,
        "cases": cases,
        "lead": lead,
        "officer": officer,
        "laptop": RequestTypeFactory(queue=it, name="New laptop", slug="new-laptop"),
        "software": RequestTypeFactory(queue=it, name="Software", slug="software"),
        "concern": RequestTypeFactory(queue=cases, name="Concern", slug="concern"),
        "department": DepartmentFactory(name="Finance"),
    }


@pytest.fixture
def tickets(desk):
    """The hand-counted set (October 2025, Amsterdam). For the IT agent: in 4 (t1, t2, t3,
    edge_first), out 2, response met 1 of 2, resolution met 1 of 2, first answers after 1 h
    and 5 h, ratings 4 and 2, 2 deflections; backlog now 3 (t3, fresh, week_old)."""
    it, finance = desk["it"], desk["department"]
    alice = UserFactory(first_name="Alice", last_name="<script>alert(1)</script>")
    bob = UserFactory(first_name="Bob", last_name="Builder")
    in_finance = EmployeeFactory(department=finance).user
    t1 = TicketFactory(
        queue=it,
        request_type=desk["laptop"],
        requester=in_finance,
        subject="Secret subject one",
        status=Status.CLOSED,
        assignee=alice,
        created_at=at(5, 10),
        first_response_due_at=at(5, 14),
        first_responded_at=at(5, 11),
        resolution_due_at=at(6, 10),
        resolved_at=at(6, 9),
        rating=4,
        rated_at=at(7, 9),
    )
    t2 = TicketFactory(
        queue=it,
        request_type=desk["laptop"],
        requester=in_finance,
        status=Status.RESOLVED,
        priority=Priority.HIGH,
        assignee=bob,
        created_at=at(10, 10),
        first_response_due_at=at(10, 12),
        response_breached_at=at(10, 12, 2),
        first_responded_at=at(10, 15),
        resolution_due_at=at(11, 10),
        resolution_breached_at=at(11, 10, 2),
        resolved_at=at(12, 9),
        rating=2,
        rated_at=at(12, 18),
    )
    t3 = TicketFactory(
        queue=it, request_type=desk["software"], status=Status.OPEN, created_at=at(15)
    )
    # 00:30 on 1 October in Amsterdam is still 30 September in UTC: October's.
    edge_first = TicketFactory(
        queue=it,
        status=Status.CLOSED,
        created_at=datetime.datetime(2025, 9, 30, 22, 30, tzinfo=datetime.UTC),
    )
    # 23:30 UTC on 31 October is 1 November in Amsterdam: November's.
    edge_next = TicketFactory(
        queue=it,
        status=Status.CLOSED,
        created_at=datetime.datetime(2025, 10, 31, 23, 30, tzinfo=datetime.UTC),
    )
    now = timezone.now()
    fresh = TicketFactory(queue=it, status=Status.NEW, created_at=now - datetime.timedelta(hours=2))
    week_old = TicketFactory(
        queue=it, status=Status.WAITING_REQUESTER, created_at=now - datetime.timedelta(days=5)
    )
    # Never counted for the IT agent:
    merged = TicketFactory(
        queue=it, status=Status.CLOSED, merged_into=t1, created_at=at(5, 12), rating=5,
        rated_at=at(6, 12),
    )  # fmt: skip
    secret_in_it = TicketFactory(
        queue=it, confidential=True, status=Status.NEW, created_at=at(6), subject="Whistle"
    )
    case = TicketFactory(
        queue=desk["cases"],
        request_type=desk["concern"],
        status=Status.OPEN,
        created_at=at(8),
        subject="Harassment case",
    )
    elsewhere = TicketFactory(queue=desk["facilities"], status=Status.CLOSED, created_at=at(9))
    for n in range(2):
        Deflection.objects.create(
            request_type=desk["laptop"], doc_type="kb", doc_key=f"a{n}", searcher=f"s{n}",
            created_at=at(3),
        )  # fmt: skip
    Deflection.objects.create(doc_type="kb", doc_key="b", searcher="s9", created_at=at(3))
    Deflection.objects.create(
        request_type=desk["concern"], doc_type="kb", doc_key="c", searcher="s8", created_at=at(4)
    )
    return {
        "t1": t1,
        "t2": t2,
        "t3": t3,
        "edge_first": edge_first,
        "edge_next": edge_next,
        "fresh": fresh,
        "week_old": week_old,
        "merged": merged,
        "secret_in_it": secret_in_it,
        "case": case,
        "elsewhere": elsewhere,
        "alice": alice,
    }


@pytest.fixture
def rolled(tickets):
    rollups.rebuild_all()
    return tickets


def _get(client, user, url=PAGE, **params):
    client.force_login(user)
    return client.get(url, params)


# --- Hand-counted figures ------------------------------------------------------------------------


def test_figures_from_the_rollup_match_hand_counts(client, it_agent, rolled):
    response = _get(client, it_agent, **OCTOBER)
    assert response.status_code == 200
    values = figures(response)
    assert values["tickets_in"] == 4
    assert values["tickets_out"] == 2
    assert values["backlog"] == 3
    assert values["response_sla"] == pytest.approx(0.5)
    assert values["resolution_sla"] == pytest.approx(0.5)
    assert values["response_hours"] == pytest.approx(3.0)
    assert values["csat"] == pytest.approx(3.0)
    assert values["deflections"] == 2
    assert values["deflection_rate"] == pytest.approx(2 / 6)
    ages = {row["_drill"][1]["age"]: row["n"] for row in table(response, "backlog_by_age").rows}
    assert ages == {"1d": 1, "3d": 0, "7d": 1, "30d": 0, "older": 1}
    by_type = {row["request_type"]: row["created"] for row in table(response, "request_types").rows}
    assert by_type == {"New laptop": 2, "Software": 1, "Other": 1}
    by_queue = table(response, "by_queue").rows
    assert [(row["queue"], row["created"], row["resolved"]) for row in by_queue] == [("IT", 4, 2)]
    chart = next(c for c in response.context["page"].charts if c.key == "volume")
    assert sum(chart.series[0].values) == 4
    assert chart.series[0].values[0] == 1  # 1 October: the ticket filed at 00:30


def test_department_filter_reads_the_requesters_rollup(client, it_agent, rolled, desk):
    response = _get(client, it_agent, **OCTOBER, department=desk["department"].pk)
    values = figures(response)
    assert values["tickets_in"] == 2  # t1 and t2 were filed by someone in Finance
    assert values["tickets_out"] == 2
    assert values["response_sla"] == pytest.approx(0.5)
    assert values["csat"] == pytest.approx(3.0)
    assert values["backlog"] == 0
    assert values["deflections"] is None  # anonymous: no department
    agents = table(response, "csat_by_agent").rows
    assert sorted(row["rated"] for row in agents) == [1, 1]
    # Read from the requesters' rollup, not the tickets: gone from it, gone from the page.
    TicketRequesterDay.objects.all().delete()
    assert (
        figures(_get(client, it_agent, **OCTOBER, department=desk["department"].pk))["tickets_in"]
        == 0
    )


def test_requesters_rollup_equals_live_counts_per_department_and_location(tickets, desk):
    rollups.rebuild_all()
    period = Period(datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
    people = Employee.objects.values_list("department_id", "location_id").distinct()
    assert people
    for department, location in people:
        live = rollups.live_totals(
            rollups.counted_tickets().filter(
                requester__employee__department_id=department,
                requester__employee__location_id=location,
            ),
            period,
        )
        stored = TicketRequesterDay.objects.filter(
            department_id=department,
            location_id=location,
            day__gte=period.start,
            day__lte=period.end,
        )
        summed = {name: sum(getattr(row, name) for row in stored) for name in rollups.COUNT_FIELDS}
        assert summed.pop("deflections") == 0  # anonymous
        live.pop("deflections")
        assert live == summed


def test_location_filter_counts_the_requesters_of_that_location(client, it_agent, rolled, desk):
    in_finance = Employee.objects.get(department=desk["department"])
    in_finance.location = LocationFactory(name="Utrecht")
    in_finance.save()
    rollups.rebuild_all()
    response = _get(client, it_agent, **OCTOBER, location=in_finance.location_id)
    assert figures(response)["tickets_in"] == 2  # t1 and t2
    both = {"department": desk["department"].pk, "location": in_finance.location_id}
    assert figures(_get(client, it_agent, **OCTOBER, **both))["tickets_in"] == 2
    elsewhere = LocationFactory(name="Rotterdam").pk
    assert figures(_get(client, it_agent, **OCTOBER, location=elsewhere))["tickets_in"] == 0


def test_a_move_to_another_department_is_counted_again_by_the_next_run(
    client, it_agent, rolled, desk
):
    from ess.reports.tasks import rollup_tickets

    rollup_tickets()  # the requesters' rollup now knows the org as it is
    finance = {"department": desk["department"].pk, **OCTOBER}
    assert figures(_get(client, it_agent, **finance))["tickets_in"] == 2
    person = Employee.objects.get(department=desk["department"])
    person.department = DepartmentFactory(name="Sales")
    person.save()
    rollup_tickets()  # people moved: the requesters' rollup is counted whole
    assert figures(_get(client, it_agent, **finance))["tickets_in"] == 0
    sales = {"department": person.department_id, **OCTOBER}
    assert figures(_get(client, it_agent, **sales))["tickets_in"] == 2


def test_drill_down_lists_the_counted_tickets_without_subjects(client, it_agent, rolled):
    response = _get(client, it_agent, drill("created"), **OCTOBER)
    assert response.status_code == 200
    ids = {row.record.pk for row in response.context["table"].rows}
    assert ids == {rolled[k].pk for k in ("t1", "t2", "t3", "edge_first")}
    assert b"Secret subject one" not in response.content
    missed = _get(client, it_agent, drill("response"), **OCTOBER, met="no")
    assert {row.record.pk for row in missed.context["table"].rows} == {rolled["t2"].pk}
    backlog = _get(client, it_agent, drill("backlog"), age="older")
    assert {row.record.pk for row in backlog.context["table"].rows} == {rolled["t3"].pk}


def test_bad_drill_parameters_are_refused(client, it_agent, rolled):
    assert _get(client, it_agent, drill("response"), met="maybe").status_code == 400
    assert _get(client, it_agent, drill("created"), request_type="x").status_code == 400
    assert _get(client, it_agent, drill("created"), subject="1").status_code == 400


# --- Scoping -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["employee", "manager", "payroll_officer", "kb_editor", "auditor", "anonymous"]
)
def test_who_may_not_read_it(client, request, desk, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in (PAGE, drill("created"), PAGE + "?part=volume&_export=csv"):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 403), url


def test_officer_counts_the_confidential_queue_member_does_not(client, hr_officer, rolled, desk):
    officer = desk["officer"]
    values = figures(_get(client, officer, **OCTOBER))
    assert values["tickets_in"] == 1  # the case; the IT queue is not theirs
    assert values["deflections"] == 1
    listed = _get(client, officer, drill("created"), **OCTOBER)
    assert [row.record.pk for row in listed.context["table"].rows] == [rolled["case"].pk]
    assert b"Harassment" not in listed.content
    # A member of the confidential queue without the grant sees nothing of it.
    values = figures(_get(client, hr_officer, **OCTOBER))
    assert values["tickets_in"] == 0
    assert values["backlog"] == 0
    assert len(_get(client, hr_officer, drill("created"), **OCTOBER).context["table"].rows) == 0
    exported = _get(client, hr_officer, PAGE + "?part=by_queue&_export=csv", **OCTOBER)
    assert b"HR cases" not in exported.content


def test_admin_sees_every_normal_queue_but_no_confidential_ticket(client, admin_user, rolled):
    values = figures(_get(client, admin_user, **OCTOBER))
    assert values["tickets_in"] == 5  # IT's 4 and Facilities' 1; not the case, not "Whistle"
    assert values["deflections"] == 3  # and the one outside any request type
    listed = _get(client, admin_user, drill("created"), _export="csv", **OCTOBER)
    assert rolled["secret_in_it"].pk not in _csv_ids(listed)


def test_a_lead_sees_the_queue_they_lead(client, rolled, desk):
    response = _get(client, desk["lead"], **OCTOBER)
    assert figures(response)["tickets_in"] == 1
    assert [str(q) for q in response.context["form"].fields["queue"].queryset] == ["Facilities"]


def test_queue_filter_offers_only_the_viewers_queues(client, it_agent, rolled, desk):
    response = _get(client, it_agent, **OCTOBER)
    assert [str(q) for q in response.context["form"].fields["queue"].queryset] == ["IT"]
    # Someone else's queue is not a valid choice: the page falls back to the default
    # filters within the viewer's own scope, never to the other queue.
    response = _get(client, it_agent, **OCTOBER, queue=desk["cases"].pk)
    assert figures(response) == figures(_get(client, it_agent))
    assert figures(response)["tickets_in"] == 2  # fresh and week_old, the last 30 days
    assert viewer_scope(it_agent).cleared == frozenset()


def _content(response) -> bytes:
    """The body, read once (a streaming export can be read only once)."""
    if not hasattr(response, "_read_body"):
        response._read_body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return response._read_body


def _csv_ids(response) -> set[int]:
    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    return {int(row[0].lstrip("#")) for row in rows[1:] if row and row[0].startswith("#")}


# --- Date edges ----------------------------------------------------------------------------------


def test_month_edges_count_in_the_report_zone(client, it_agent, rolled):
    assert figures(_get(client, it_agent, **NOVEMBER))["tickets_in"] == 1  # edge_next
    september = figures(_get(client, it_agent, start="2025-09-01", end="2025-09-30"))
    assert september["tickets_in"] == 0
    single = figures(_get(client, it_agent, start="2025-10-01", end="2025-10-01"))
    assert single["tickets_in"] == 1
    last = figures(_get(client, it_agent, start="2025-10-31", end="2025-10-31"))
    assert last["tickets_in"] == 0


# --- The rollup ----------------------------------------------------------------------------------


def _rollup_rows():
    fields = ["day", "queue_id", "request_type_id", "confidential", *rollups.COUNT_FIELDS]
    days = sorted(TicketDay.objects.values_list(*fields), key=str)
    agents = sorted(
        TicketAgentDay.objects.values_list(
            "day", "queue_id", "confidential", "assignee_id", "rated", "rating_sum"
        ),
        key=str,
    )
    people = sorted(
        TicketRequesterDay.objects.values_list("department_id", "location_id", *fields), key=str
    )
    people_agents = sorted(
        TicketRequesterAgentDay.objects.values_list(
            "department_id", "location_id", "day", "queue_id", "assignee_id", "rated"
        ),
        key=str,
    )
    return days, agents, people, people_agents


def test_rollup_rebuild_is_idempotent(tickets):
    rollups.rebuild_all()
    first = _rollup_rows()
    assert first[0]
    rollups.rebuild_all()
    assert _rollup_rows() == first
    rollups.rebuild_days(datetime.date(2025, 10, 1), datetime.date(2025, 10, 12))
    rollups.refresh_recent()
    rollups.refresh_recent()
    assert _rollup_rows() == first
    assert first[2]
    # The desk's and the requesters' rollups.
    assert RollupRun.objects.count() == 2


def test_rollup_equals_live_counts(tickets):
    rollups.rebuild_all()
    period = Period(datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
    live = rollups.live_totals(rollups.counted_tickets(), period)
    stored = TicketDay.objects.filter(day__gte=period.start, day__lte=period.end)
    summed = {name: sum(getattr(row, name) for row in stored) for name in rollups.COUNT_FIELDS}
    summed.pop("deflections")
    live.pop("deflections")
    assert live == summed
    assert live["created"] == 7  # every queue: IT 4, the secret one, the case, Facilities
    assert live["response_seconds"] == 6 * 3600


def test_rollup_drops_a_ticket_merged_later(tickets):
    rollups.rebuild_all()
    rollups.counted_tickets().filter(pk=tickets["t3"].pk).update(merged_into=tickets["t1"])
    rollups.rebuild_days(datetime.date(2025, 10, 15), datetime.date(2025, 10, 15))
    assert not TicketDay.objects.filter(day=datetime.date(2025, 10, 15), created__gt=0).exists()


def test_page_says_how_old_the_figures_are(client, it_agent, rolled):
    assert "Filed in the period" in str(figures_help(_get(client, it_agent, **OCTOBER)))
    RollupRun.objects.update(refreshed_at=timezone.now() - datetime.timedelta(hours=2))
    response = _get(client, it_agent, **OCTOBER)
    assert "Figures up to" in figures_help(response)
    RollupRun.objects.all().delete()
    assert "not been built" in figures_help(_get(client, it_agent, **OCTOBER))


def figures_help(response) -> str:
    return str(response.context["page"].figures[0].help)


# --- Query ceilings ------------------------------------------------------------------------------


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def _more_tickets(desk, count: int):
    for n in range(count):
        TicketFactory(
            queue=desk["it"],
            request_type=desk["software"],
            status=Status.CLOSED,
            created_at=at(1 + n % 28),
            resolved_at=at(1 + n % 28, 15),
            rating=1 + n % 5,
            rated_at=at(1 + n % 28, 16),
            assignee=UserFactory(),
        )


@pytest.mark.parametrize("department", [False, True])
def test_query_count_does_not_grow_with_the_data(client, it_agent, desk, department):
    client.force_login(it_agent)
    params = dict(OCTOBER, compare="on")
    if department:
        params["department"] = desk["department"].pk
    _more_tickets(desk, 3)
    rollups.rebuild_all()
    few = _queries(client, PAGE, **params), _queries(client, drill("rated"), **params)
    _more_tickets(desk, 30)
    rollups.rebuild_all()
    many = _queries(client, PAGE, **params), _queries(client, drill("rated"), **params)
    assert few == many
    # The frame (session, user, roles, menu, filter choices, digests) is 10 of them.
    assert many[0] <= (24 if department else 20)


# --- Exports and escaping ------------------------------------------------------------------------


def test_chart_and_drill_exports(client, it_agent, rolled):
    chart = _get(client, it_agent, PAGE, **OCTOBER, part="volume", _export="csv")
    assert chart.status_code == 200
    assert chart["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(chart.content.decode("utf-8-sig"))))
    assert sum(int(row[1]) for row in rows[1:]) == 4
    listed = _get(client, it_agent, drill("created"), **OCTOBER, _export="csv")
    assert _csv_ids(listed) == {rolled[k].pk for k in ("t1", "t2", "t3", "edge_first")}
    assert b"Secret subject" not in _content(listed)
    xlsx = _get(client, it_agent, drill("rated"), **OCTOBER, _export="xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_hostile_names_are_escaped(client, it_agent, rolled):
    page = _get(client, it_agent, **OCTOBER)
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content
    listed = _get(client, it_agent, drill("rated"), **OCTOBER)
    assert b"<script>alert(1)</script>" not in listed.content
    assert b"&lt;script&gt;" in listed.content


def test_command_and_beat_task_recount(tickets):
    from django.core.management import call_command

    from ess.reports.tasks import rollup_tickets

    call_command("reports_rollup", "--all", stdout=io.StringIO())
    first = _rollup_rows()
    call_command("reports_rollup", "--days", "3", stdout=io.StringIO())
    rollup_tickets()
    assert _rollup_rows() == first
    with pytest.raises(Exception, match="at least 1"):
        call_command("reports_rollup", "--days", "0", stdout=io.StringIO())


def test_deflection_drill_is_scoped_and_anonymous(client, it_agent, admin_user, rolled, desk):
    listed = _get(client, it_agent, drill("deflections"), **OCTOBER)
    assert len(listed.context["table"].rows) == 2
    assert b"s0" not in listed.content  # who it was stays out
    everything = _get(client, admin_user, drill("deflections"), **OCTOBER)
    assert len(everything.context["table"].rows) == 3  # not the confidential queue's
    by_department = _get(
        client, it_agent, drill("deflections"), **OCTOBER, department=desk["department"].pk
    )
    assert len(by_department.context["table"].rows) == 0


def test_beat_job_settles_the_last_weeks_once_a_night(tickets, monkeypatch):
    rollups.rebuild_all()
    first = _rollup_rows()
    # A ticket merged long after it was filed: only a deeper recount notices.
    rollups.counted_tickets().filter(pk=tickets["t3"].pk).update(merged_into=tickets["t1"])
    late_evening = datetime.datetime(2025, 11, 10, 23, 0, tzinfo=AMS)
    night = datetime.datetime(2025, 11, 11, 3, 5, tzinfo=AMS)
    monkeypatch.setattr(rollups, "SETTLE_DAYS", 40)
    RollupRun.objects.create(name=rollups.SETTLED_NAME, refreshed_at=late_evening)
    rollups.refresh_due(now=late_evening + datetime.timedelta(minutes=10))
    assert _rollup_rows() == first  # settled today already: today and yesterday only
    rollups.refresh_due(now=night)
    assert _rollup_rows() != first
    assert RollupRun.objects.get(name=rollups.SETTLED_NAME).refreshed_at == night
