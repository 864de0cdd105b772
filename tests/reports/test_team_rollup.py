"""My team for large teams: the counted-ahead rows give the same page as the live count,
and the beat job keeps them current (recent days, acknowledgements, reorganisations)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ess.reports import team_rollup
from ess.reports.models import RollupRun, TeamAcknowledgement, TeamRollup, TeamTicketDay
from ess.reports.periods import report_zone
from helpdesk.models import Ticket
from policies.models import AcknowledgementRequest
from tests.factories import EmployeeFactory, LocationFactory
from tests.helpdesk.factories import TicketFactory
from tests.reports.test_team import OCTOBER, _count_queries, _figures, _page, at

D = datetime.date


@pytest.fixture
def every_team_large(monkeypatch):
    """Every manager counts as large, so the small hand-counted team is counted ahead."""
    monkeypatch.setattr(team_rollup, "LARGE_TEAM", 1)


def _whole_page(client, user, **params) -> dict:
    """Everything the report shows: figures (and previous values), charts and tables."""
    page = _page(client, user, **params).context["page"]
    return {
        "figures": [(f.key, f.value, f.previous) for f in page.figures],
        "charts": [(c.key, c.labels, [list(s.values) for s in c.series]) for c in page.charts],
        "tables": [(t.key, t.rows) for t in page.tables],
    }


PAGES = [
    pytest.param(OCTOBER, id="october by day"),
    pytest.param({**OCTOBER, "compare": "on"}, id="compared with september"),
    pytest.param({"start": "2026-08-03", "end": "2026-10-31"}, id="weeks"),
    pytest.param({"start": "2025-11-01", "end": "2026-10-31"}, id="months"),
    pytest.param({"period": "last_30"}, id="last 30 days"),
]


@pytest.mark.parametrize("params", PAGES)
def test_counted_ahead_page_is_the_live_page(client, team, every_team_large, params):
    live = _whole_page(client, team["mila"], **params)
    assert not TeamRollup.objects.exists()
    team_rollup.rebuild_all()
    assert TeamRollup.objects.filter(manager__user=team["mila"]).exists()
    assert _whole_page(client, team["mila"], **params) == live


@pytest.mark.parametrize("filter_name", ["department", "location", "queue", "all three"])
def test_filters_read_the_same_counts_ahead(client, team, every_team_large, filter_name):
    amsterdam = LocationFactory(name="Amsterdam")
    team["anna"].location = amsterdam
    team["anna"].save()
    params = {
        "department": {"department": team["sales"].pk},
        "location": {"location": amsterdam.pk},
        "queue": {"queue": team["it"].pk},
        "all three": {
            "department": team["sales"].pk,
            "location": amsterdam.pk,
            "queue": team["it"].pk,
        },
    }[filter_name] | OCTOBER
    live = _whole_page(client, team["mila"], **params)
    team_rollup.rebuild_all()
    assert _whole_page(client, team["mila"], **params) == live


def test_hand_count_from_the_counts_ahead(client, team, every_team_large):
    team_rollup.rebuild_all()
    # The page reads the rows, not the tickets: a ticket deleted since the count still
    # counts until the next recount.
    Ticket.objects.filter(requester=team["anna"].user, request_type=team["laptop"]).delete()
    figures = _figures(_page(client, team["mila"], **OCTOBER))
    assert figures["tickets"] == 3
    assert figures["ack_rate"] == 0.5
    assert figures["ack_overdue"] == 1
    team_rollup.rebuild_all()
    assert _figures(_page(client, team["mila"], **OCTOBER))["tickets"] == 2


def test_each_manager_reads_only_their_own_rows(client, team, every_team_large):
    live = _whole_page(client, team["anna"].user, **OCTOBER)
    team_rollup.rebuild_all()
    assert TeamRollup.objects.count() == 2  # Mila and Anna
    counted = _whole_page(client, team["anna"].user, **OCTOBER)
    assert counted == live
    assert _figures(_page(client, team["anna"].user, **OCTOBER))["tickets"] == 1


def test_small_teams_stay_live(client, team):
    team_rollup.rebuild_all()
    assert not TeamRollup.objects.exists()
    assert not TeamTicketDay.objects.exists()
    assert _figures(_page(client, team["mila"], **OCTOBER))["tickets"] == 3


def test_a_team_that_became_small_goes_back_to_live(client, team, every_team_large, monkeypatch):
    team_rollup.rebuild_all()
    assert TeamTicketDay.objects.filter(manager__user=team["mila"]).exists()
    monkeypatch.setattr(team_rollup, "LARGE_TEAM", 10)
    team_rollup.rebuild_all()
    assert not TeamRollup.objects.exists()
    assert not TeamTicketDay.objects.exists()
    assert not TeamAcknowledgement.objects.exists()


def test_rebuild_twice_writes_the_same_rows(team, every_team_large):
    def rows():
        return sorted(
            TeamTicketDay.objects.values_list(
                "manager_id", "whole_team", "department_id", "location_id", "day",
                "queue_id", "request_type_id", "created",
            )
        )  # fmt: skip

    team_rollup.rebuild_all()
    first = rows()
    team_rollup.rebuild_all()
    team_rollup.refresh_recent()
    assert rows() == first
    whole = TeamTicketDay.objects.filter(manager__user=team["mila"], whole_team=True)
    per_department = TeamTicketDay.objects.filter(manager__user=team["mila"], whole_team=False)
    assert sum(whole.values_list("created", flat=True)) == 4  # three in October, one in November
    assert sum(per_department.values_list("created", flat=True)) == 4


def test_beat_job_counts_todays_requests_and_acknowledgements(client, team, every_team_large):
    from ess.reports.tasks import rollup_teams

    rollup_teams()  # never counted: a full count
    now = timezone.now()
    TicketFactory(
        requester=team["ben"].user, queue=team["it"], request_type=team["laptop"], created_at=now
    )
    AcknowledgementRequest.objects.filter(user=team["ben"].user).update(
        acknowledged_at=now, acknowledged_on=now.date()
    )
    params = {"period": "last_7"}
    before = _figures(_page(client, team["mila"], **params))["tickets"]
    rollup_teams()  # the same org: today and yesterday, and the acknowledgements
    assert _figures(_page(client, team["mila"], **params))["tickets"] == before + 1
    october = _figures(_page(client, team["mila"], **OCTOBER))
    assert october["ack_overdue"] == 0
    assert october["ack_rate"] == 1.0


def test_a_reorganisation_is_counted_whole_by_the_next_run(client, team, every_team_large):
    from ess.reports.tasks import rollup_teams

    rollup_teams()
    assert _figures(_page(client, team["mila"], **OCTOBER))["tickets"] == 3
    # Ben moves to another manager: his October request leaves Mila's team with him.
    elsewhere = EmployeeFactory()
    team["ben"].manager = elsewhere
    team["ben"].save()
    live = _whole_page(client, team["mila"], **OCTOBER)  # still the old rows
    assert live["figures"][-1][:2] == ("tickets", 3)
    rollup_teams()
    figures = _figures(_page(client, team["mila"], **OCTOBER))
    assert figures["tickets"] == 2
    assert figures["ack_overdue"] == 0  # Ben's late acknowledgement went with him


def test_the_nightly_run_counts_everything_again(team, every_team_large):
    night = datetime.datetime(2026, 11, 22, 3, 5, tzinfo=report_zone())
    team_rollup.refresh_due(now=night - datetime.timedelta(hours=4))
    full = RollupRun.objects.get(name=team_rollup.FULL_NAME).refreshed_at
    team_rollup.refresh_due(now=night - datetime.timedelta(hours=3))  # same night: recent
    assert RollupRun.objects.get(name=team_rollup.FULL_NAME).refreshed_at == full
    team_rollup.refresh_due(now=night)  # after 03:00 the next day: everything
    assert RollupRun.objects.get(name=team_rollup.FULL_NAME).refreshed_at == night


def test_the_page_says_when_the_counts_lag(client, team, every_team_large):
    team_rollup.rebuild_all()
    page = _page(client, team["mila"], **OCTOBER).context["page"]
    assert next(f for f in page.figures if f.key == "tickets").help == ""
    RollupRun.objects.update(refreshed_at=timezone.now() - datetime.timedelta(hours=2))
    page = _page(client, team["mila"], **OCTOBER).context["page"]
    assert "Figures up to" in str(next(f for f in page.figures if f.key == "tickets").help)


def test_query_count_of_a_counted_ahead_page_does_not_grow(client, team, every_team_large):
    team_rollup.rebuild_all()
    client.force_login(team["mila"])
    page = reverse("reports:report", args=["team"])
    params = {"compare": "on", **OCTOBER}
    before = _count_queries(client, page, params)
    for n in range(30):
        person = EmployeeFactory(manager=team["anna"], start_date=D(2026, 10, 1 + n % 28))
        TicketFactory(
            requester=person.user,
            queue=team["it"],
            request_type=team["laptop"],
            created_at=at(2026, 10, 1 + n % 28, 10),
        )
    team_rollup.rebuild_all()
    assert _count_queries(client, page, params) == before
    assert before <= 25
    assert _figures(_page(client, team["mila"], **OCTOBER))["tickets"] == 33


def test_reports_rollup_command_counts_the_teams(team, every_team_large):
    from django.core.management import call_command

    call_command("reports_rollup", "--all", verbosity=0)
    assert TeamRollup.objects.filter(manager__user=team["mila"]).exists()
    TeamTicketDay.objects.all().delete()
    call_command("reports_rollup", "--days", "60", verbosity=0)
    assert TeamTicketDay.objects.filter(day__gte=D(2026, 10, 1)).exists() is (
        timezone.localdate() - D(2026, 10, 1) < datetime.timedelta(days=60)
    )
