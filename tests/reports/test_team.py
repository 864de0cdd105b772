"""My team: figures against a hand-counted team, scoping, drill-downs, exports, edges."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EmployeeFactory
from tests.helpdesk.factories import TicketFactory

UTC = datetime.UTC
D = datetime.date
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:report", args=["team"]), params)
    assert response.status_code == 200
    return response


def _figures(response) -> dict:
    return {figure.key: figure.value for figure in response.context["page"].figures}


def _drill(client, name, **params):
    return client.get(reverse("reports:drill", args=["team", name]), params)


def test_october_figures_match_the_hand_count(client, team):
    figures = _figures(_page(client, team["mila"], **OCTOBER))
    assert figures == {
        "headcount": 2,
        "joiners": 1,
        "leavers": 1,
        "waiting": 0,
        "ack_rate": 0.5,
        "ack_overdue": 1,
        "tickets": 3,
    }


def test_tickets_land_in_the_local_day_they_were_filed(client, team):
    page = _page(client, team["mila"], **OCTOBER).context["page"]
    chart = next(chart for chart in page.charts if chart.key == "tickets")
    by_day = dict(zip(chart.labels, chart.series[0].values, strict=True))
    assert by_day["01-10"] == 1
    assert by_day["10-10"] == 1
    assert by_day["31-10"] == 1
    assert sum(chart.series[0].values) == 3
    by_type = next(table for table in page.tables if table.key == "tickets_by_type")
    assert {(row["request_type"], row["n"]) for row in by_type.rows} == {
        ("Laptop", 2),
        ("Access", 1),
    }


def test_headcount_chart_counts_people_at_the_end_of_each_day(client, team):
    page = _page(client, team["mila"], **OCTOBER).context["page"]
    chart = next(chart for chart in page.charts if chart.key == "headcount")
    values = dict(zip(chart.labels, chart.series[0].values, strict=True))
    assert values["14-10"] == 2  # Anna, Eva
    assert values["15-10"] == 3  # Ben joined
    assert values["19-10"] == 3
    assert values["20-10"] == 2  # Eva's last day was the 20th: gone at its end
    assert values["31-10"] == 2


def test_department_filter_narrows_the_team(client, team):
    figures = _figures(_page(client, team["mila"], department=team["sales"].pk, **OCTOBER))
    assert figures["headcount"] == 1  # Anna; Ben works in Operations
    assert figures["leavers"] == 1  # Eva was in Sales
    assert figures["joiners"] == 0
    assert figures["tickets"] == 2  # Anna's two; Ben's are Operations


def test_comparison_with_september(client, team):
    response = _page(client, team["mila"], compare="on", **OCTOBER)
    previous = {f.key: f.previous for f in response.context["page"].figures}
    # On 30 September: Anna and Eva; nobody joined or left in September.
    assert previous["headcount"] == 2
    assert previous["joiners"] == 0
    assert previous["leavers"] == 0
    assert previous["tickets"] == 0
    assert previous["waiting"] is None  # "now" has no previous period
    assert "Previous period: 2" in response.content.decode()


def test_a_manager_sees_only_their_reporting_line(client, team):
    # Anna manages Ben only.
    figures = _figures(_page(client, team["anna"].user, **OCTOBER))
    assert figures["headcount"] == 1
    assert figures["tickets"] == 1  # Ben's at 23:30 on 31 October
    assert figures["ack_overdue"] == 1


def test_overdue_drill_down_lists_exactly_the_late_people(client, team):
    client.force_login(team["mila"])
    response = _drill(client, "overdue", **OCTOBER)
    assert response.status_code == 200
    rows = list(response.context["table"].data)
    assert [row.user for row in rows] == [team["ben"].user]
    narrowed = _drill(client, "overdue", policy=team["policy"].pk, **OCTOBER)
    assert len(narrowed.context["table"].data) == 1
    assert (
        _drill(client, "overdue", policy=999999, **OCTOBER).context["table"].data.data.count() == 0
    )


def test_ticket_drill_down_shows_no_subject_and_no_confidential_case(client, team):
    client.force_login(team["mila"])
    response = _drill(client, "tickets", **OCTOBER)
    body = response.content.decode()
    assert len(response.context["table"].data) == 3
    assert "Ticket subject" not in body
    assert "HR cases" not in body
    only_laptops = _drill(client, "tickets", request_type=team["laptop"].pk, **OCTOBER)
    assert len(only_laptops.context["table"].data) == 2


def test_members_drill_down_is_the_headcount(client, team):
    client.force_login(team["mila"])
    response = _drill(client, "members", **OCTOBER)
    names = {row.user.first_name for row in response.context["table"].data}
    assert names == {"Anna", "Ben"}


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("reports:report", args=["team"]),
        lambda: reverse("reports:drill", args=["team", "members"]),
        lambda: reverse("reports:drill", args=["team", "tickets"]) + "?_export=csv",
        lambda: reverse("reports:report", args=["team"]) + "?part=tickets&_export=xlsx",
        lambda: reverse("reports:pdf", args=["team"]),
    ],
)
def test_people_without_a_team_are_refused(client, team, url):
    client.force_login(team["carl"].user)
    assert client.get(url()).status_code == 403


def test_hr_officer_without_reports_is_refused(client, team, hr_officer):
    client.force_login(hr_officer)
    assert client.get(reverse("reports:report", args=["team"])).status_code == 403


def test_exports_carry_the_hand_counted_figures(client, team):
    client.force_login(team["mila"])
    url = reverse("reports:report", args=["team"])
    response = client.get(url, {"part": "tickets_by_type", "_export": "xlsx", **OCTOBER})
    assert response.status_code == 200
    assert "team-tickets_by_type-20261001-20261031.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Request type", "Queue", "Requests")
    assert sorted(rows[1:]) == [("Access", "IT", 1), ("Laptop", "IT", 2)]
    csv = _drill(client, "overdue", _export="csv", **OCTOBER).content.decode()
    assert "Berg" in csv
    assert "Adams" not in csv
    figures = client.get(url, {"part": "figures", "_export": "csv", **OCTOBER}).content.decode()
    assert "Headcount,2" in figures


def test_pdf_of_the_dashboard(client, team):
    client.force_login(team["mila"])
    response = client.get(reverse("reports:pdf", args=["team"]), OCTOBER)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_hostile_names_are_escaped_everywhere(client, team):
    anna = team["anna"].user
    anna.first_name, anna.last_name = '=HYPERLINK("x")', "<script>alert(1)</script>"
    anna.save()
    team["laptop"].name = '<img src=x onerror="alert(2)">'
    team["laptop"].save()
    client.force_login(team["mila"])
    page = _page(client, team["mila"], **OCTOBER).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page
    drill = _drill(client, "members", **OCTOBER).content.decode()
    assert "<script>alert(1)" not in drill
    assert "&lt;script&gt;alert(1)" in drill
    csv = _drill(client, "members", _export="csv", **OCTOBER).content.decode()
    # A spreadsheet would run the name as a formula; it is written as text.
    assert "'=HYPERLINK" in csv
    assert ",=HYPERLINK" not in csv
    assert client.get(reverse("reports:pdf", args=["team"]), OCTOBER).status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("report", {"order_by": "salary"}),
        ("report", {"part": "nope", "_export": "csv"}),
        ("report", {"part": "figures", "_export": "json"}),
        ("drill", {"sort": "user__password"}),
        ("drill", {"policy": "1 OR 1=1"}),
        ("drill", {"_export": "yaml"}),
    ],
)
def test_hand_made_keys_and_values_are_refused(client, team, path, params):
    client.force_login(team["mila"])
    if path == "report":
        url = reverse("reports:report", args=["team"])
    else:
        url = reverse("reports:drill", args=["team", "overdue"])
    assert client.get(url, params).status_code == 400


def test_unknown_report_and_drill_are_not_found(client, team):
    client.force_login(team["mila"])
    assert client.get(reverse("reports:report", args=["nope"])).status_code == 404
    assert client.get(reverse("reports:drill", args=["team", "nope"])).status_code == 404


def test_an_invalid_range_is_explained_and_the_default_shown(client, team):
    response = _page(client, team["mila"], start="2026-10-31", end="2026-10-01")
    assert "The first day must not be after the last day." in response.content.decode()
    assert response.context["filters"].period.days == 30


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_team(client, team):
    client.force_login(team["mila"])
    page = reverse("reports:report", args=["team"])
    drill = reverse("reports:drill", args=["team", "tickets"])
    params = {"compare": "on", **OCTOBER}
    before = (_count_queries(client, page, params), _count_queries(client, drill, OCTOBER))
    for n in range(30):
        person = EmployeeFactory(manager=team["anna"], start_date=D(2026, 10, 1 + n % 28))
        TicketFactory(
            requester=person.user,
            queue=team["it"],
            request_type=team["laptop"],
            created_at=at(2026, 10, 1 + n % 28, 10),
        )
    after = (_count_queries(client, page, params), _count_queries(client, drill, OCTOBER))
    assert after == before
    assert before[0] <= 24
    assert before[1] <= 10


def test_changing_filters_with_htmx_answers_the_report_body_only(client, team):
    client.force_login(team["mila"])
    response = client.get(
        reverse("reports:report", args=["team"]), {**OCTOBER}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="report-body">')
    assert "<html" not in body
    assert 'data-figure="headcount"' in body
    assert "start=2026-10-01" in body  # the PDF and export links follow the new filters


@pytest.mark.parametrize(
    ("start", "end", "label", "expected"),
    [
        ("2026-08-03", "2026-10-31", "12-10", 1),  # weeks: Ben joined on Thursday 15 October
        ("2025-11-01", "2026-10-31", "2026-10", 1),  # months
    ],
)
def test_week_and_month_buckets(client, team, start, end, label, expected):
    page = _page(client, team["mila"], start=start, end=end).context["page"]
    chart = next(chart for chart in page.charts if chart.key == "movement")
    joined = dict(zip(chart.labels, chart.series[0].values, strict=True))
    assert joined[label] == expected
    assert sum(chart.series[0].values) == 1
    tickets = next(chart for chart in page.charts if chart.key == "tickets")
    assert sum(tickets.series[0].values) == 3
