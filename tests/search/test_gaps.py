"""Grouping knowledge gaps: similar queries together, different ones apart, most searched
first, and bounded work however many gaps there are."""

import pytest

from ess.search import insights
from ess.search.models import Gap, GapStatus
from tests.search.web_fixtures import gap


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("vpn not working", "not working vpn"),
        ("vpn not working", "vpn not workng"),
        ("expense claim form", "expense claim"),
        ("reset password", "password reset"),
        ("parental leave", "parental leeve"),
    ],
)
def test_similar_queries(first, second):
    assert insights.similar_queries(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("vpn", "vpn invoice"),
        ("parking permit", "vpn not working"),
        ("leave", "sick leave policy"),
        ("payslip", "pension"),
    ],
)
def test_different_queries(first, second):
    assert not insights.similar_queries(first, second)


def _gap(query: str, searches: int) -> Gap:
    return Gap(pk=searches, normalised=query, sample_query=query, searches=searches)


def test_groups_follow_the_most_searched_query_and_sum_their_counts():
    gaps = [
        _gap("parking permit", 10),
        _gap("vpn not working", 8),
        _gap("parking permits", 7),
        _gap("not working vpn", 6),
        _gap("canteen menu", 1),
    ]
    groups = insights.group_gaps(gaps)
    assert [group.sample_query for group in groups] == [
        "parking permit",
        "vpn not working",
        "canteen menu",
    ]
    assert groups[0].searches == 17
    assert groups[0].gap_ids == [10, 7]
    assert groups[1].other_queries == ["not working vpn"]


def test_samples_per_group_are_bounded():
    gaps = [_gap(f"vpn not working {n}", 100 - n) for n in range(12)]
    (group,) = insights.group_gaps(gaps)
    assert len(group.other_queries) == insights.SAMPLES_PER_GROUP - 1
    assert len(group.members) == 12


@pytest.mark.django_db
def test_gap_groups_read_the_top_gaps_in_one_query(django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(insights, "GAP_GROUPING_LIMIT", 3)
    topics = ["canteen menu", "parking permit", "printer jam", "holiday request", "expenses"]
    for n, topic in enumerate(topics):
        gap(topic, searches=n + 1)
    with django_assert_num_queries(1):
        groups = insights.gap_groups(Gap.objects.filter(status=GapStatus.OPEN))
    assert [group.sample_query for group in groups] == [
        "expenses",
        "holiday request",
        "printer jam",
    ]


@pytest.mark.django_db
def test_a_resolved_member_is_the_groups_resolution():
    gap("expense claim", searches=5, status=GapStatus.RESOLVED, resolved_title="Expenses")
    gap("expense claims", searches=2, status=GapStatus.RESOLVED, resolved_title="Expenses")
    (group,) = insights.gap_groups(Gap.objects.all())
    assert group.resolved.resolved_title == "Expenses"
