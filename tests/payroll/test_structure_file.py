"""The structures file: every problem the check reports, applying, exporting, the command."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ess.audit.models import AuditEvent
from payroll.calculation import BandData, ComponentData
from payroll.models import Component, SalaryStructure, TaxBand, TaxTable
from payroll.structure_file import (
    ParsedFile,
    StructureFileError,
    parse_structure_file,
    structure_file_apply,
    structure_file_export,
)
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

NORTHWIND = Path(__file__).resolve().parents[2] / "payroll" / "structures" / "northwind.toml"

TABLE = """
[[tax_table]]
code = "WAGE"
year = 2026
name = "Wage tax"
bands = [ { from = 0, to = 3000, rate = 10 }, { from = 3000, rate = 40 } ]
"""

STRUCTURE = """
[[structure]]
code = "NL"
name = "Netherlands"
currency = "EUR"
default = true
locations = ["Rotterdam"]

[[structure.component]]
code = "BASE"
label = "Base salary"
label_nl = "Basissalaris"
kind = "earning"
method = "salary"
prorate = true
taxable = true

[[structure.component]]
code = "PENSION"
label = "Pension"
kind = "deduction"
method = "percent"
rate = 5.5
base = "BASE"
cap = 450.00
taxable = true

[[structure.component]]
code = "TAX"
label = "Wage tax"
kind = "deduction"
method = "bracket"
table = "WAGE"
base = "taxable"
"""


@pytest.fixture(autouse=True)
def rotterdam(db):
    return LocationFactory(name="Rotterdam")


def problems_of(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(StructureFileError) as caught:
        parse_structure_file(data)
    return caught.value.problems


def table_with(bands: str, extra: str = "") -> str:
    return f'[[tax_table]]\ncode = "WAGE"\nyear = 2026\nname = "Wage tax"\n{extra}bands = {bands}\n'


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def component(**values) -> str:
    """A file with one structure whose second component has these settings."""
    lines = "\n".join(f"{key} = {_toml(value)}" for key, value in values.items())
    return (
        TABLE
        + '[[structure]]\ncode = "NL"\nname = "NL"\n'
        + '[[structure.component]]\ncode = "BASE"\nlabel = "Base"\nkind = "earning"\n'
        + 'method = "salary"\n'
        + f"[[structure.component]]\n{lines}\n"
    )


def test_a_good_file_is_read_with_exact_decimals():
    parsed = parse_structure_file((TABLE + STRUCTURE).encode())
    (table,) = parsed.tables
    assert table.bands == (
        BandData(Decimal(0), Decimal(3000), Decimal(10)),
        BandData(Decimal(3000), None, Decimal(40)),
    )
    (structure,) = parsed.structures
    assert structure.is_default
    assert structure.locations == ("Rotterdam",)
    assert [c.code for c in structure.components] == ["BASE", "PENSION", "TAX"]
    assert structure.components[1].rate == Decimal("5.5")
    assert structure.components[1].cap == Decimal("450.00")
    assert structure.components[2].table_code == "WAGE"


def test_the_shipped_example_file_is_valid_and_imports():
    LocationFactory(name="Milan", country="IT")
    LocationFactory(name="Oslo", country="NO")
    parsed = parse_structure_file(NORTHWIND.read_bytes())
    years = {(table.code, table.year) for table in parsed.tables}
    for code in ("NL-WAGE-TAX", "NL-NATIONAL-INSURANCE", "IT-IRPEF", "NO-BRACKET-TAX"):
        assert {(code, 2024), (code, 2025), (code, 2026)} <= years
    structure_file_apply(parsed)
    dutch = SalaryStructure.objects.get(code="NL-STANDARD")
    assert dutch.is_default
    methods = set(dutch.components.values_list("method", flat=True))
    assert methods == {"salary", "fixed", "percent", "bracket"}
    kinds = set(dutch.components.values_list("kind", flat=True))
    assert kinds == {"earning", "deduction", "employer_contribution", "information"}


# --- Every problem the check reports --------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The file as a whole
        (b"\xff\xfe", "The file is not UTF-8 text."),
        ("code = ", "The file is not valid TOML: "),
        ("", "The file defines no [[tax_table]] and no [[structure]]."),
        ("tax_tables = []", "Unknown key “tax_tables”; did you mean “tax_table”?"),
        ('salary = "x"', "Unknown key “salary”; the keys here are tax_table, structure."),
        ("tax_table = 3", "“tax_table” should be written as [[tax_table]] sections."),
        # Tax tables
        ("tax_table = [1]", "tax_table[1]: This should be a table of keys and values."),
        (
            TABLE.replace('name = "Wage tax"', 'naem = "Wage tax"'),
            "tax_table[1]: Unknown key “naem”; did you mean “name”?",
        ),
        (TABLE.replace('code = "WAGE"', ""), "tax_table[1]: “code” is missing."),
        (TABLE.replace("year = 2026", ""), "tax_table[1]: “year” is missing."),
        (
            TABLE.replace("year = 2026", 'year = "2026"'),
            "tax_table[1]: “year” should be a year such as 2026, without quotes.",
        ),
        (TABLE.replace('name = "Wage tax"', ""), "tax_table[1] WAGE 2026: “name” is missing."),
        (
            TABLE.replace('code = "WAGE"', 'code = "WAGE TAX"'),
            "tax_table[1] WAGE TAX 2026: The code “WAGE TAX” may only hold letters, digits,",
        ),
        (
            TABLE.replace('code = "WAGE"', f'code = "{"W" * 41}"'),
            "is longer than 40 characters.",
        ),
        (
            TABLE.replace('name = "Wage tax"', "name = 12"),
            "tax_table[1] WAGE 2026: “name” should be text in quotes.",
        ),
        (
            '[[tax_table]]\ncode = "WAGE"\nyear = 2026\nname = "W"\n',
            "tax_table[1] WAGE 2026: “bands” is missing.",
        ),
        (table_with('"none"'), "tax_table[1] WAGE 2026: “bands” should be a list."),
        (
            table_with("[ { from = 0, upto = 10, rate = 1 } ]"),
            "tax_table[1] WAGE 2026, band[1]: Unknown key “upto”; did you mean “to”?",
        ),
        (table_with("[ { rate = 1 } ]"), "tax_table[1] WAGE 2026, band[1]: “from” is missing."),
        (table_with("[ { from = 0 } ]"), "tax_table[1] WAGE 2026, band[1]: “rate” is missing."),
        (
            table_with('[ { from = 0, rate = "ten" } ]'),
            "tax_table[1] WAGE 2026, band[1]: “rate” should be a number.",
        ),
        (
            table_with("[ { from = 0, rate = true } ]"),
            "tax_table[1] WAGE 2026, band[1]: “rate” should be a number.",
        ),
        (table_with("[]"), "tax_table[1] WAGE 2026, A tax table needs at least one band."),
        (
            table_with("[ { from = 100, rate = 1 } ]"),
            "tax_table[1] WAGE 2026, band[1]: “from” is 100; the first band must start at 0.",
        ),
        (
            table_with("[ { from = 0, to = 3000, rate = 1 }, { from = 3100, rate = 2 } ]"),
            "tax_table[1] WAGE 2026, band[2]: “from” is 3100 but the band before ends at 3000; "
            "each band must start where the one before it ends.",
        ),
        (
            table_with("[ { from = 0, to = 3000, rate = 1 }, { from = 2000, rate = 2 } ]"),
            "band[2]: “from” is 2000 but the band before ends at 3000",
        ),
        (
            table_with("[ { from = 0, to = 0, rate = 1 }, { from = 0, rate = 2 } ]"),
            "tax_table[1] WAGE 2026, band[1]: “to” (0) must be above “from” (0).",
        ),
        (
            table_with("[ { from = 0, rate = 1 }, { from = 10, rate = 2 } ]"),
            "tax_table[1] WAGE 2026, band[1]: Only the last band can be left without “to”.",
        ),
        (
            table_with("[ { from = 0, to = 10, rate = 1 } ]"),
            "tax_table[1] WAGE 2026, band[1]: Leave out “to” on the last band, so that every "
            "amount is in a band.",
        ),
        (
            table_with("[ { from = 0, rate = -1 } ]"),
            "tax_table[1] WAGE 2026, band[1]: “rate” cannot be negative.",
        ),
        (
            table_with("[ { from = 0, rate = 101 } ]"),
            "tax_table[1] WAGE 2026, band[1]: “rate” is a percentage and cannot be above 100.",
        ),
        (
            table_with("[ { from = 0, rate = 8.12345 } ]"),
            "tax_table[1] WAGE 2026, band[1]: “rate” has more than 4 decimals.",
        ),
        (
            table_with("[ { from = 0, to = 10.001, rate = 1 }, { from = 10.001, rate = 1 } ]"),
            "tax_table[1] WAGE 2026, band[1]: “to” has more than 2 decimals.",
        ),
        (
            table_with(
                "[ { from = 0, to = 10000000000, rate = 1 }, { from = 10000000000, rate = 1 } ]"
            ),
            "tax_table[1] WAGE 2026, band[1]: “to” is too large.",
        ),
        (TABLE + TABLE, "tax_table[2]: WAGE 2026 is already defined by tax_table[1]."),
        # Structures
        (
            STRUCTURE.replace("default = true", "defualt = true") + TABLE,
            "structure[1]: Unknown key “defualt”; did you mean “default”?",
        ),
        (STRUCTURE.replace('code = "NL"', "") + TABLE, "structure[1]: “code” is missing."),
        (
            STRUCTURE.replace('name = "Netherlands"', "") + TABLE,
            "structure[1] NL: “name” is missing.",
        ),
        (
            STRUCTURE.replace('currency = "EUR"', 'currency = "euro"') + TABLE,
            "structure[1] NL: “currency” should be a three-letter code such as EUR.",
        ),
        (
            STRUCTURE.replace("default = true", 'default = "yes"') + TABLE,
            "structure[1] NL: “default” should be true or false.",
        ),
        (
            STRUCTURE.replace('["Rotterdam"]', "[1, 2]") + TABLE,
            "structure[1] NL: “locations” should be a list of location names in quotes.",
        ),
        (
            STRUCTURE.replace('["Rotterdam"]', '["Atlantis"]') + TABLE,
            "structure[1] NL: Location Atlantis does not exist.",
        ),
        (
            STRUCTURE + TABLE + STRUCTURE.replace('code = "NL"', 'code = "BE"', 1),
            "structure[2] BE: Location Rotterdam is already linked to structure[1].",
        ),
        (
            STRUCTURE
            + TABLE
            + STRUCTURE.replace('code = "NL"', 'code = "BE"', 1).replace('["Rotterdam"]', "[]"),
            "structure[2] BE: Only one structure can be the default; structure[1] already is.",
        ),
        (
            STRUCTURE
            + TABLE
            + STRUCTURE.replace("default = true", "").replace('["Rotterdam"]', "[]"),
            "structure[2] NL: The code is already used by structure[1].",
        ),
        (
            '[[structure]]\ncode = "NL"\nname = "NL"\n',
            "structure[1] NL, A structure needs at least one component.",
        ),
        # Components
        (
            component(code="X", lable="X", kind="earning", method="salary"),
            "structure[1] NL, component[2] X: Unknown key “lable”; did you mean “label”?",
        ),
        (
            component(code="X", kind="earning", method="salary"),
            "structure[1] NL, component[2] X: “label” is missing.",
        ),
        (
            component(code="X", label=7, kind="earning", method="salary"),
            "structure[1] NL, component[2] X: “label” should be text in quotes.",
        ),
        (
            component(code="X", label="L" * 101, kind="earning", method="salary"),
            "structure[1] NL, component[2] X: “label” is longer than 100 characters.",
        ),
        (
            component(label="X", kind="earning", method="salary"),
            "structure[1] NL, component[2]: “code” is missing.",
        ),
        (
            component(code="gross", label="X", kind="earning", method="salary"),
            "structure[1] NL, component[2] gross: The code “gross” is reserved for a base; "
            "choose another.",
        ),
        (
            component(code="BASE", label="X", kind="earning", method="salary"),
            "structure[1] NL, component[2] BASE: The code BASE is used twice.",
        ),
        (
            component(code="X", label="X", kind="bonus", method="salary"),
            "structure[1] NL, component[2] X: “kind” is “bonus”; write one of earning, "
            "deduction, employer_contribution, information.",
        ),
        (
            component(code="X", label="X", kind="earning", method="formula"),
            "structure[1] NL, component[2] X: “method” is “formula”; write one of salary, "
            "fixed, percent, bracket.",
        ),
        (
            component(code="X", label="X", kind="earning", method="fixed"),
            "structure[1] NL, component[2] X: Method “fixed” needs “amount”.",
        ),
        (
            component(code="X", label="X", kind="deduction", method="percent", base="BASE"),
            "structure[1] NL, component[2] X: Method “percent” needs “rate”.",
        ),
        (
            component(code="X", label="X", kind="deduction", method="percent", rate=5),
            "structure[1] NL, component[2] X: Method “percent” needs “base”.",
        ),
        (
            component(code="X", label="X", kind="deduction", method="bracket", base="gross"),
            "structure[1] NL, component[2] X: Method “bracket” needs “table”.",
        ),
        (
            component(code="X", label="X", kind="earning", method="salary", amount=5),
            "structure[1] NL, component[2] X: “amount” does not apply to method “salary”; "
            "leave it out.",
        ),
        (
            component(code="X", label="X", kind="earning", method="fixed", amount=True),
            "structure[1] NL, component[2] X: “amount” should be a number.",
        ),
        (
            component(code="X", label="X", kind="earning", method="fixed", amount=-5),
            "structure[1] NL, component[2] X: “amount” cannot be negative.",
        ),
        (
            component(code="X", label="X", kind="earning", method="fixed", amount="1.005"),
            "structure[1] NL, component[2] X: “amount” has more than 2 decimals.",
        ),
        (
            component(code="X", label="X", kind="deduction", method="percent", rate=5, base="LATER")
            + '[[structure.component]]\ncode = "LATER"\nlabel = "L"\nkind = "earning"\n'
            + 'method = "fixed"\namount = 1\n',
            "structure[1] NL, component[2] X: “base” names LATER, which comes later; a "
            "component can only use the components before it.",
        ),
        (
            component(code="X", label="X", kind="deduction", method="percent", rate=5, base="NOPE"),
            "structure[1] NL, component[2] X: “base” names NOPE, which is not a component of "
            "this structure.",
        ),
        (
            component(code="X", label="X", kind="deduction", method="percent", rate=5, base="X"),
            "structure[1] NL, component[2] X: “base” names the component itself.",
        ),
        (
            component(
                code="X", label="X", kind="deduction", method="bracket", table="NOPE", base="gross"
            ),
            "structure[1] NL, component[2] X: Tax table NOPE does not exist; define it in the "
            "file or import it first.",
        ),
        (
            component(
                code="X", label="X", kind="deduction", method="fixed", amount=50, cap=10, floor=20
            ),
            "structure[1] NL, component[2] X: “cap” (10) is below “floor” (20).",
        ),
        (
            component(
                code="X", label="X", kind="information", method="fixed", amount=1, taxable=True
            ),
            "structure[1] NL, component[2] X: “taxable” only applies to earnings and deductions.",
        ),
        (
            component(code="X", label="X", kind="earning", method="salary", prorate="yes"),
            "structure[1] NL, component[2] X: “prorate” should be true or false.",
        ),
    ],
)
def test_every_problem_is_reported_with_where_it_is(text, expected):
    problems = problems_of(text)
    assert any(expected in problem for problem in problems), problems


def test_the_component_helper_builds_a_valid_file_when_the_settings_are_right():
    text = component(code="X", label="X", kind="deduction", method="percent", rate=5, base="gross")
    assert len(parse_structure_file(text.encode()).structures[0].components) == 2


def test_every_problem_is_reported_at_once():
    text = table_with("[ { from = 10, rate = -1 } ]") + STRUCTURE.replace(
        '["Rotterdam"]', '["Atlantis"]'
    ).replace('base = "BASE"', 'base = "X"')
    problems = problems_of(text)
    assert problems == [
        "tax_table[1] WAGE 2026, band[1]: “from” is 10; the first band must start at 0.",
        "tax_table[1] WAGE 2026, band[1]: “rate” cannot be negative.",
        "structure[1] NL, component[2] PENSION: “base” names X, which is not a component of "
        "this structure.",
        "structure[1] NL: Location Atlantis does not exist.",
    ]


def test_a_table_already_in_the_database_can_be_referred_to():
    TaxTable.objects.create(code="WAGE", year=2025, name="Wage tax")
    parsed = parse_structure_file(STRUCTURE.encode())
    assert parsed.structures[0].components[2].table_code == "WAGE"


# --- Applying -------------------------------------------------------------------------------
def test_applying_creates_everything_and_audits_it(payroll_officer, rotterdam):
    summary = structure_file_apply(
        parse_structure_file((TABLE + STRUCTURE).encode()), payroll_officer
    )
    table = TaxTable.objects.get(code="WAGE", year=2026)
    assert list(table.bands.values_list("lower", "upper", "rate")) == [
        (Decimal("0.00"), Decimal("3000.00"), Decimal("10.0000")),
        (Decimal("3000.00"), None, Decimal("40.0000")),
    ]
    structure = SalaryStructure.objects.get(code="NL")
    assert structure.is_default
    assert structure.updated_by == payroll_officer
    assert list(structure.locations.all()) == [rotterdam]
    assert list(structure.components.values_list("position", "code")) == [
        (1, "BASE"),
        (2, "PENSION"),
        (3, "TAX"),
    ]
    assert summary.created == ["WAGE 2026", "NL"]
    events = AuditEvent.objects.filter(action="payroll.structure_imported")
    assert {event.target_label for event in events} == {"WAGE 2026", "Netherlands"}
    assert all(event.actor == payroll_officer for event in events)


def test_applying_again_replaces_components_and_bands_but_leaves_the_rest(payroll_officer):
    structure_file_apply(parse_structure_file((TABLE + STRUCTURE).encode()), payroll_officer)
    other = SalaryStructure.objects.create(code="OTHER", name="Other")
    Component.objects.create(
        structure=other, position=1, code="BASE", label="B", kind="earning", method="salary"
    )
    changed = (
        (TABLE + STRUCTURE).replace("rate = 40", "rate = 42").replace("rate = 5.5", "rate = 6")
    )
    changed = changed.split('[[structure.component]]\ncode = "TAX"')[0]
    summary = structure_file_apply(parse_structure_file(changed.encode()), payroll_officer)
    assert summary.updated == ["WAGE 2026", "NL"]
    assert TaxBand.objects.get(table__code="WAGE", lower=3000).rate == Decimal(42)
    nl = SalaryStructure.objects.get(code="NL")
    assert list(nl.components.values_list("code", "rate")) == [
        ("BASE", None),
        ("PENSION", Decimal("6.0000")),
    ]
    assert other.components.count() == 1


def test_a_new_default_takes_over_and_a_location_moves(rotterdam):
    structure_file_apply(parse_structure_file((TABLE + STRUCTURE).encode()))
    belgian = STRUCTURE.replace('code = "NL"', 'code = "BE"', 1)
    summary = structure_file_apply(parse_structure_file(belgian.encode()))
    assert SalaryStructure.objects.get(is_default=True).code == "BE"
    assert not SalaryStructure.objects.get(code="NL").locations.exists()
    assert list(SalaryStructure.objects.get(code="BE").locations.all()) == [rotterdam]
    assert "NL is no longer the default; BE is." in summary.notes
    assert "Rotterdam moved from NL to BE." in summary.notes


def test_applying_is_all_or_nothing(rotterdam):
    parsed = parse_structure_file((TABLE + STRUCTURE).encode())
    rotterdam.delete()  # gone between the check and the write
    with pytest.raises(StructureFileError, match="Location Rotterdam does not exist"):
        structure_file_apply(parsed)
    assert not TaxTable.objects.exists()
    assert not SalaryStructure.objects.exists()


# --- Writing it back ------------------------------------------------------------------------
def _sorted(parsed: ParsedFile) -> ParsedFile:
    return ParsedFile(
        tables=tuple(sorted(parsed.tables, key=lambda t: (t.code, t.year))),
        structures=tuple(sorted(parsed.structures, key=lambda s: s.code)),
    )


def test_export_reads_back_as_what_was_imported():
    LocationFactory(name="Milan", country="IT")
    LocationFactory(name="Oslo", country="NO")
    imported = parse_structure_file(NORTHWIND.read_bytes())
    structure_file_apply(imported)
    exported = structure_file_export()
    assert _sorted(parse_structure_file(exported.encode())) == _sorted(imported)


def test_export_quotes_text_safely():
    text = STRUCTURE.replace('label = "Wage tax"', 'label = "Tax \\"now\\" \\\\ €\\n<b>"') + TABLE
    imported = parse_structure_file(text.encode())
    structure_file_apply(imported)
    again = parse_structure_file(structure_file_export().encode())
    assert again.structures[0].components[2].label == 'Tax "now" \\ €\n<b>'


def test_export_of_an_empty_database_is_a_commented_file():
    assert structure_file_export().startswith("# ESS salary structures and tax tables.")


# --- The command ----------------------------------------------------------------------------
def test_the_import_command_imports_a_good_file(tmp_path, capsys):
    path = tmp_path / "structures.toml"
    path.write_text(TABLE + STRUCTURE)
    call_command("payroll_structure_import", str(path))
    out = capsys.readouterr().out
    assert "Imported 1 structure(s) and 1 tax table(s)" in out
    assert "Created: WAGE 2026, NL" in out
    assert SalaryStructure.objects.filter(code="NL").exists()


def test_the_import_command_reports_problems_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "structures.toml"
    path.write_text(TABLE + STRUCTURE.replace('["Rotterdam"]', '["Atlantis"]'))
    with pytest.raises(CommandError, match="1 problem; nothing was changed"):
        call_command("payroll_structure_import", str(path))
    assert "structure[1] NL: Location Atlantis does not exist." in capsys.readouterr().err
    assert not TaxTable.objects.exists()


def test_the_import_command_can_only_check(tmp_path, capsys):
    path = tmp_path / "structures.toml"
    path.write_text(TABLE + STRUCTURE)
    call_command("payroll_structure_import", str(path), "--check")
    assert "is valid: 1 structure(s) and 1 tax table(s)" in capsys.readouterr().out
    assert not TaxTable.objects.exists()


def test_the_import_command_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("payroll_structure_import", str(tmp_path / "missing.toml"))


def test_component_data_equality_ignores_trailing_zeros():
    # The round trip relies on it: 120.00 from the database equals 120 from a file.
    first = ComponentData("A", "A", "earning", "fixed", amount=Decimal("120.00"))
    assert first == ComponentData("A", "A", "earning", "fixed", amount=Decimal(120))
