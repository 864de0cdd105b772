"""The permission matrix: one table of URL x who → expected status, expanded into tests.

    MATRIX = [
        Row("audit:list", {"anonymous": 302, "employee": 403, "auditor": 200}),
        Row(lambda request: reverse("hr:detail", args=[request.getfixturevalue("employee").pk]),
            {"employee": 200, "other_employee": 404, "hr_officer": 200}, label="hr-detail"),
    ]

    @pytest.mark.parametrize(("row", "who"), expand(MATRIX))
    def test_permission_matrix(client, request, row, who):
        assert_access(client, request, row, who)

`who` names a fixture from tests/conftest.py ("employee", "manager", "hr_officer" …) or
"anonymous". A URL given as a callable receives pytest's `request`, so it can build the
object (and its owner) from fixtures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

UrlSpec = str | Callable[[Any], str]


@dataclass(frozen=True)
class Row:
    url: UrlSpec
    expected: dict[str, int]
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or (self.url if isinstance(self.url, str) else self.url.__name__)

    def resolve(self, request) -> str:
        if callable(self.url):
            return self.url(request)
        return reverse(self.url) if ":" in self.url else self.url


def expand(rows: list[Row]) -> list[Any]:
    return [
        pytest.param(row, who, id=f"{row.method}-{row.name}-{who}")
        for row in rows
        for who in row.expected
    ]


def assert_access(client, request, row: Row, who: str) -> None:
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = row.resolve(request)
    response = getattr(client, row.method)(url, row.data)
    expected = row.expected[who]
    assert response.status_code == expected, (
        f"{who} {row.method.upper()} {url}: expected {expected}, got {response.status_code}"
    )
    if who == "anonymous" and expected == 302:
        assert reverse("account_login") in response["Location"]
