"""The officers' pages for salary structures and tax tables: who reaches them, editing a
component or band through the same rules as the file, upload and download."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ess.audit.models import AuditEvent
from payroll.models import Component, SalaryStructure, TaxBand, TaxTable
from payroll.structure_file import parse_structure_file, structure_file_apply
from tests.factories import LocationFactory
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

FILE = """
[[tax_table]]
code = "WAGE"
year = 2026
name = "Wage tax"
bands = [
  { from = 0, to = 3000, rate = 10 },
  { from = 3000, to = 6000, rate = 30 },
  { from = 6000, rate = 50 },
]

[[structure]]
code = "NL"
name = "Netherlands"
default = true
locations = ["Rotterdam"]

[[structure.component]]
code = "BASE"
label = "Base salary"
kind = "earning"
method = "salary"
taxable = true

[[structure.component]]
code = "PENSION"
label = "Pension"
kind = "deduction"
method = "percent"
rate = 5
base = "BASE"
taxable = true

[[structure.component]]
code = "TAX"
label = "Wage tax"
kind = "deduction"
method = "bracket"
table = "WAGE"
base = "taxable"
"""


@pytest.fixture
def structure(db) -> SalaryStructure:
    LocationFactory(name="Rotterdam")
    structure_file_apply(parse_structure_file(FILE.encode()))
    return SalaryStructure.objects.get(code="NL")


@pytest.fixture
def table(structure) -> TaxTable:
    return TaxTable.objects.get(code="WAGE", year=2026)


def _component(request) -> Component:
    return request.getfixturevalue("structure").components.get(code="PENSION")


def _band(request) -> TaxBand:
    return request.getfixturevalue("table").bands.get(lower=3000)


def _url(name: str, get):
    def build(request):
        return reverse(name, args=[get(request).pk])

    build.__name__ = name
    return build


OFFICERS_ONLY = {
    "anonymous": 302,
    "employee": 403,
    "manager": 403,
    "hr_officer": 403,
    "payroll_officer": 200,
}
OFFICERS_ACT = {**OFFICERS_ONLY, "payroll_officer": 302}

MATRIX = [
    Row("payroll:structures", OFFICERS_ONLY),
    Row("payroll:structure_file", OFFICERS_ONLY),
    Row(_url("payroll:structure", lambda r: r.getfixturevalue("structure")), OFFICERS_ONLY),
    Row(_url("payroll:component_add", lambda r: r.getfixturevalue("structure")), OFFICERS_ONLY),
    Row(_url("payroll:component_edit", _component), OFFICERS_ONLY),
    Row(_url("payroll:component_delete", _component), OFFICERS_ACT, method="post"),
    Row(_url("payroll:table", lambda r: r.getfixturevalue("table")), OFFICERS_ONLY),
    Row(_url("payroll:band_add", lambda r: r.getfixturevalue("table")), OFFICERS_ONLY),
    Row(_url("payroll:band_edit", _band), OFFICERS_ONLY),
    Row(_url("payroll:band_delete", _band), OFFICERS_ACT, method="post"),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_the_matrix_covers_every_url():
    from payroll.structure_urls import urlpatterns

    covered = {row.name for row in MATRIX}
    assert {f"payroll:{pattern.name}" for pattern in urlpatterns} <= covered


def test_a_non_officer_cannot_post_changes_either(client, hr_officer, structure):
    component = structure.components.get(code="PENSION")
    client.force_login(hr_officer)
    response = client.post(
        reverse("payroll:component_edit", args=[component.pk]),
        {"code": "PENSION", "label": "Hacked", "kind": "deduction", "method": "salary"},
    )
    assert response.status_code == 403
    response = client.post(reverse("payroll:structure_file"), {})
    assert response.status_code == 403
    component.refresh_from_db()
    assert component.label == "Pension"


# --- Structures and components --------------------------------------------------------------
def test_the_overview_lists_structures_and_tables_in_a_fixed_number_of_queries(
    client, payroll_officer, structure, django_assert_max_num_queries
):
    for number in range(5):
        SalaryStructure.objects.create(code=f"S{number}", name=f"Structure {number}")
        TaxTable.objects.create(code="WAGE", year=2020 + number, name="Old wage tax")
    client.force_login(payroll_officer)
    # The page frame: session, user, roles, second-factor check, unread notifications,
    # policy ownership (the navigation); then structures with their component counts,
    # their locations, tax tables with their band counts.
    with django_assert_max_num_queries(9):
        page = client.get(reverse("payroll:structures")).content.decode()
    assert "Netherlands" in page
    assert "Structure 4" in page
    assert "Old wage tax" in page
    assert reverse("payroll:structure_file") in page


def test_the_structure_page_shows_what_each_component_computes(client, payroll_officer, structure):
    client.force_login(payroll_officer)
    page = client.get(reverse("payroll:structure", args=[structure.pk])).content.decode()
    assert "annual base salary ÷ 12" in page
    assert "5% of BASE" in page
    assert "table WAGE on taxable pay" in page


def _component_form(component: Component, **changes) -> dict:
    data = {
        "position": component.position,
        "code": component.code,
        "label": component.label,
        "label_nl": component.label_nl,
        "kind": component.kind,
        "method": component.method,
        "amount": component.amount or "",
        "rate": component.rate or "",
        "base": component.base,
        "table_code": component.table_code,
        "cap": component.cap or "",
        "floor": component.floor or "",
    }
    if component.prorate:
        data["prorate"] = "on"
    if component.taxable:
        data["taxable"] = "on"
    return {**data, **changes}


def test_an_officer_edits_a_component_and_it_is_audited(client, payroll_officer, structure):
    component = structure.components.get(code="PENSION")
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:component_edit", args=[component.pk]),
        _component_form(component, rate="6.5", cap="300.00", label_nl="Pensioen"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("payroll:structure", args=[structure.pk])
    component.refresh_from_db()
    assert (component.rate, component.cap, component.label_nl) == (
        Decimal("6.5"),
        Decimal("300.00"),
        "Pensioen",
    )
    event = AuditEvent.objects.get(action="payroll.component_changed")
    assert event.actor == payroll_officer
    assert event.detail["component"] == "PENSION"
    assert event.detail["changes"]["rate"] == ["5.0000", "6.5"]
    structure.refresh_from_db()
    assert structure.updated_by == payroll_officer


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base": "TAX"}, "“base” names TAX, which comes later"),
        ({"base": ""}, "Method “percent” needs “base”."),
        ({"method": "fixed"}, "Method “fixed” needs “amount”."),
        ({"table_code": "WAGE"}, "“table” does not apply to method “percent”"),
        ({"cap": "10", "floor": "20"}, "“cap” (10) is below “floor” (20)."),
        ({"code": "gross"}, "The code “gross” is reserved for a base"),
        ({"code": "BASE"}, "The code BASE is used twice."),
        ({"code": "PENSION2"}, None),
    ],
)
def test_a_component_is_held_to_the_file_rules(
    client, payroll_officer, structure, changes, message
):
    component = structure.components.get(code="PENSION")
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:component_edit", args=[component.pk]),
        _component_form(component, **changes),
    )
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    component.refresh_from_db()
    assert component.code == "PENSION"
    assert component.rate == Decimal(5)


def test_renaming_a_component_another_uses_is_refused(client, payroll_officer, structure):
    base = structure.components.get(code="BASE")
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:component_edit", args=[base.pk]), _component_form(base, code="SALARY")
    )
    assert response.status_code == 200
    assert "“base” names BASE, which is not a component of this structure." in (
        response.content.decode()
    )


def test_moving_a_component_renumbers_the_others(client, payroll_officer, structure):
    tax = structure.components.get(code="TAX")
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:component_edit", args=[tax.pk]), _component_form(tax, position=1)
    )
    # TAX on taxable pay first is allowed (taxable is 0 then); its base is not a component.
    assert response.status_code == 302
    assert list(structure.components.values_list("code", flat=True)) == ["TAX", "BASE", "PENSION"]
    assert list(structure.components.values_list("position", flat=True)) == [1, 2, 3]


def test_moving_a_component_before_its_base_is_refused(client, payroll_officer, structure):
    pension = structure.components.get(code="PENSION")
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:component_edit", args=[pension.pk]), _component_form(pension, position=1)
    )
    assert response.status_code == 200
    assert "“base” names BASE, which comes later" in response.content.decode()
    assert list(structure.components.values_list("code", flat=True)) == ["BASE", "PENSION", "TAX"]


def test_an_officer_adds_a_component_in_place(client, payroll_officer, structure):
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:component_add", args=[structure.pk]),
        {
            "position": 2,
            "code": "TRAVEL",
            "label": "Travel allowance",
            "kind": "earning",
            "method": "fixed",
            "amount": "120.00",
            "prorate": "on",
        },
    )
    assert response.status_code == 302
    assert list(structure.components.values_list("code", flat=True)) == [
        "BASE",
        "TRAVEL",
        "PENSION",
        "TAX",
    ]
    assert AuditEvent.objects.filter(action="payroll.component_added").exists()


def test_a_component_in_use_cannot_be_removed_but_an_unused_one_can(
    client, payroll_officer, structure
):
    client.force_login(payroll_officer)
    base = structure.components.get(code="BASE")
    response = client.post(reverse("payroll:component_delete", args=[base.pk]), follow=True)
    assert "BASE is still in use" in response.content.decode()
    assert structure.components.count() == 3
    tax = structure.components.get(code="TAX")
    client.post(reverse("payroll:component_delete", args=[tax.pk]))
    assert list(structure.components.values_list("code", "position")) == [
        ("BASE", 1),
        ("PENSION", 2),
    ]
    assert AuditEvent.objects.filter(action="payroll.component_removed").count() == 1


def test_a_label_with_markup_is_shown_as_text(client, payroll_officer, structure):
    structure.components.filter(code="PENSION").update(
        label="<script>alert(1)</script>", label_nl='<img src=x onerror="alert(2)">'
    )
    client.force_login(payroll_officer)
    for url in (
        reverse("payroll:structure", args=[structure.pk]),
        reverse("payroll:table", args=[TaxTable.objects.get().pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
    page = client.get(reverse("payroll:structure", args=[structure.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Tax bands ------------------------------------------------------------------------------
def bands(table: TaxTable) -> list[tuple]:
    return [
        (band.lower, band.upper, band.rate.normalize()) for band in table.bands.order_by("lower")
    ]


def test_changing_where_a_band_ends_moves_where_the_next_begins(client, payroll_officer, table):
    band = table.bands.get(lower=3000)
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:band_edit", args=[band.pk]), {"upper": "6500", "rate": "32.5"}
    )
    assert response.status_code == 302
    assert bands(table) == [
        (Decimal(0), Decimal(3000), Decimal(10)),
        (Decimal(3000), Decimal(6500), Decimal("32.5")),
        (Decimal(6500), None, Decimal(50)),
    ]
    event = AuditEvent.objects.get(action="payroll.band_changed")
    assert event.detail["after"] == "3000.00 to 6500 at 32.5%"


def test_a_band_cannot_swallow_the_next(client, payroll_officer, table):
    first = table.bands.get(lower=0)
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:band_edit", args=[first.pk]), {"upper": "6500", "rate": "10"}
    )
    assert response.status_code == 200
    # The second band would run from 6500 to 6000.
    assert "band[2]: “to” (6000.00) must be above “from” (6500)." in response.content.decode()
    assert bands(table)[:2] == [
        (Decimal(0), Decimal(3000), Decimal(10)),
        (Decimal(3000), Decimal(6000), Decimal(30)),
    ]


def test_the_last_band_only_changes_its_rate(client, payroll_officer, table):
    last = table.bands.get(lower=6000)
    client.force_login(payroll_officer)
    page = client.get(reverse("payroll:band_edit", args=[last.pk])).content.decode()
    assert 'name="upper"' not in page
    client.post(reverse("payroll:band_edit", args=[last.pk]), {"upper": "9000", "rate": "49.5"})
    assert bands(table)[2] == (Decimal(6000), None, Decimal("49.5"))


def test_adding_a_band_splits_the_band_it_falls_in(client, payroll_officer, table):
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:band_add", args=[table.pk]), {"lower": "4500", "rate": "35"}
    )
    assert response.status_code == 302
    assert bands(table) == [
        (Decimal(0), Decimal(3000), Decimal(10)),
        (Decimal(3000), Decimal(4500), Decimal(30)),
        (Decimal(4500), Decimal(6000), Decimal(35)),
        (Decimal(6000), None, Decimal(50)),
    ]
    response = client.post(
        reverse("payroll:band_add", args=[table.pk]), {"lower": "9000", "rate": "55"}
    )
    assert bands(table)[-2:] == [
        (Decimal(6000), Decimal(9000), Decimal(50)),
        (Decimal(9000), None, Decimal(55)),
    ]


@pytest.mark.parametrize(
    ("lower", "message"),
    [("3000", "A band already starts at 3000"), ("0", "A band already starts at 0")],
)
def test_a_band_cannot_start_where_another_does(client, payroll_officer, table, lower, message):
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:band_add", args=[table.pk]), {"lower": lower, "rate": "35"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert table.bands.count() == 3


def test_removing_a_band_gives_its_range_to_a_neighbour(client, payroll_officer, table):
    client.force_login(payroll_officer)
    client.post(reverse("payroll:band_delete", args=[table.bands.get(lower=3000).pk]))
    assert bands(table) == [
        (Decimal(0), Decimal(6000), Decimal(10)),
        (Decimal(6000), None, Decimal(50)),
    ]
    client.post(reverse("payroll:band_delete", args=[table.bands.get(lower=0).pk]))
    assert bands(table) == [(Decimal(0), None, Decimal(50))]
    response = client.post(reverse("payroll:band_delete", args=[table.bands.get().pk]), follow=True)
    assert "A tax table needs at least one band." in response.content.decode()
    assert AuditEvent.objects.filter(action="payroll.band_removed").count() == 2


# --- The file -------------------------------------------------------------------------------
def test_the_download_is_the_whole_file_as_an_attachment(client, payroll_officer, structure):
    client.force_login(payroll_officer)
    response = client.get(reverse("payroll:structure_file"))
    assert response["Content-Type"] == "application/toml; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="salary-structures-')
    parsed = parse_structure_file(response.content)
    assert [s.code for s in parsed.structures] == ["NL"]


def test_uploading_a_good_file_imports_it(client, payroll_officer, structure):
    client.force_login(payroll_officer)
    changed = FILE.replace("rate = 5\n", "rate = 7\n")
    response = client.post(
        reverse("payroll:structure_file"),
        {"file": SimpleUploadedFile("nl.toml", changed.encode(), "application/toml")},
        follow=True,
    )
    page = response.content.decode()
    assert "The file is imported." in page
    assert "Replaced: WAGE 2026, NL" in page
    assert structure.components.get(code="PENSION").rate == Decimal(7)
    assert AuditEvent.objects.filter(
        action="payroll.structure_imported", actor=payroll_officer
    ).exists()


def test_uploading_a_bad_file_lists_every_problem_and_changes_nothing(
    client, payroll_officer, structure
):
    client.force_login(payroll_officer)
    bad = FILE.replace("rate = 5\n", "rate = -5\n").replace('"Rotterdam"', '"<b>Atlantis</b>"')
    response = client.post(
        reverse("payroll:structure_file"),
        {"file": SimpleUploadedFile("nl.toml", bad.encode(), "application/toml")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has 2 problems; nothing was changed." in page
    assert "structure[1] NL, component[2] PENSION: “rate” cannot be negative." in page
    assert "Location &lt;b&gt;Atlantis&lt;/b&gt; does not exist." in page
    assert structure.components.get(code="PENSION").rate == Decimal(5)


def test_uploading_nothing_asks_for_a_file(client, payroll_officer, structure):
    client.force_login(payroll_officer)
    response = client.post(reverse("payroll:structure_file"), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_the_structure_and_table_pages_cost_the_same_for_more_rows(
    client, payroll_officer, structure, table, django_assert_max_num_queries
):
    for number in range(5):
        Component.objects.create(
            structure=structure,
            position=10 + number,
            code=f"EXTRA{number}",
            label=f"Extra {number}",
            kind="deduction",
            method="bracket",
            table_code="WAGE",
            base="gross",
        )
        TaxBand.objects.create(table=table, lower=10_000 + number, upper=None, rate=50)
    client.force_login(payroll_officer)
    # The page frame (6, see the overview); the structure with who changed it last, its
    # locations, its components.
    with django_assert_max_num_queries(9):
        page = client.get(reverse("payroll:structure", args=[structure.pk])).content.decode()
    assert "Extra 4" in page
    # The page frame (6); the table, its bands, the components that use it with their
    # structures.
    with django_assert_max_num_queries(9):
        page = client.get(reverse("payroll:table", args=[table.pk])).content.decode()
    assert "EXTRA4" in page
