"""The confirmation statement: one employee's elections for a plan year, as a PDF.

Written with reportlab in the employee's language, with DejaVu Sans embedded (subset) so
names such as Ødegård, Łukasz and Şahin print and can be copied out of the file. Every piece
of text is escaped before it reaches reportlab's paragraph markup.
"""

import datetime
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from babel.numbers import format_currency
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ess.pdf import BRAND, MUTED, register_fonts
from hr.benefits.models import Dependent, Election, EnrolmentWindow
from hr.benefits.selectors import totals_of
from hr.models import Employee


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("Body", fontName="ESS", fontSize=10, leading=14, spaceAfter=4)
    return {
        "Body": body,
        "Cell": ParagraphStyle("Cell", parent=body, fontSize=9, leading=12, spaceAfter=0),
        "Head": ParagraphStyle(
            "Head", parent=body, fontName="ESS-Bold", fontSize=9, leading=12, spaceAfter=0
        ),
        "Meta": ParagraphStyle("Meta", parent=body, fontSize=8.5, textColor=MUTED),
        "Title": ParagraphStyle(
            "Title",
            parent=body,
            fontName="ESS-Bold",
            fontSize=20,
            leading=25,
            textColor=BRAND,
            spaceAfter=8,
        ),
        "H2": ParagraphStyle(
            "H2",
            parent=body,
            fontName="ESS-Bold",
            fontSize=13,
            leading=17,
            spaceBefore=12,
            spaceAfter=4,
        ),
    }


def _money(amount: Decimal, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=locale)


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def statement_title(plan_year: int) -> str:
    return _("Benefits confirmation statement %(year)s") % {"year": plan_year}


def _story(
    employee: Employee,
    plan_year: int,
    elections: list[Election],
    dependents: list[Dependent],
    window: EnrolmentWindow,
    generated_at: datetime.datetime,
    locale: str,
) -> list:
    styles = _styles()
    p = lambda text, style="Cell": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    user = employee.user
    name = user.get_full_name() or user.email
    date = lambda value: formats.date_format(value, "DATE_FORMAT")  # noqa: E731
    generated_at = timezone.localtime(generated_at)
    story = [
        p(statement_title(plan_year), "Title"),
        p(
            _("%(name)s · employee number %(number)s")
            % {"name": name, "number": employee.employee_number},
            "Body",
        ),
        p(
            _("%(department)s, %(location)s")
            % {"department": employee.department.name, "location": employee.location.name},
            "Body",
        ),
        p(
            _(
                "Your benefit elections for plan year %(year)s as recorded on %(date)s. "
                "Open enrolment ran from %(opens)s to %(closes)s."
            )
            % {
                "year": plan_year,
                "date": date(generated_at),
                "opens": date(window.opens_on),
                "closes": date(window.closes_on),
            },
            "Meta",
        ),
        p(_("Your elections"), "H2"),
    ]
    if elections:
        rows = [
            [
                p(_("Plan"), "Head"),
                p(_("Coverage"), "Head"),
                p(_("Status"), "Head"),
                p(_("You pay per month"), "Head"),
                p(_("Employer pays per month"), "Head"),
            ]
        ]
        for election in elections:
            coverage = election.coverage_level.name if election.coverage_level else "—"
            covered = [d.full_name for d in election.dependents.all()]
            if covered:
                coverage += "\n" + _("Covers: %(names)s") % {"names": ", ".join(covered)}
            shows_cost = election.status != Election.Status.WAIVED
            rows.append(
                [
                    p(election.plan.name),
                    Paragraph(
                        "<br/>".join(escape(line) for line in coverage.split("\n")),
                        styles["Cell"],
                    ),
                    p(election.get_status_display()),
                    p(
                        _money(election.employee_monthly_cost, election.plan.currency, locale)
                        if shows_cost
                        else "—"
                    ),
                    p(
                        _money(
                            election.employer_monthly_contribution, election.plan.currency, locale
                        )
                        if shows_cost
                        else "—"
                    ),
                ]
            )
        story.append(_table(rows, [48 * mm, 48 * mm, 28 * mm, 21 * mm, 21 * mm]))
    else:
        story.append(p(_("You have no elections for this plan year."), "Body"))

    totals = totals_of(elections).rows()
    if totals:
        story.append(p(_("Totals for enrolled plans"), "H2"))
        rows = [
            [
                p(_("Currency"), "Head"),
                p(_("You pay per month"), "Head"),
                p(_("Employer pays per month"), "Head"),
                p(_("You pay per year"), "Head"),
            ]
        ]
        for currency, employee_total, employer_total, yearly in totals:
            rows.append(
                [
                    p(currency),
                    p(_money(employee_total, currency, locale)),
                    p(_money(employer_total, currency, locale)),
                    p(_money(yearly, currency, locale)),
                ]
            )
        story.append(_table(rows, [30 * mm, 42 * mm, 42 * mm, 42 * mm]))

    story.append(p(_("Your dependents"), "H2"))
    if dependents:
        rows = [[p(_("Name"), "Head"), p(_("Relationship"), "Head"), p(_("Date of birth"), "Head")]]
        rows += [
            [p(d.full_name), p(d.get_relationship_display()), p(date(d.date_of_birth))]
            for d in dependents
        ]
        story.append(_table(rows, [70 * mm, 55 * mm, 40 * mm]))
    else:
        story.append(p(_("You have registered no dependents."), "Body"))
    story += [
        Spacer(1, 10 * mm),
        p(
            _(
                "Pending and rejected elections cost nothing until they are approved. If "
                "anything on this statement is wrong, contact HR."
            ),
            "Meta",
        ),
    ]
    return story


def render_statement(
    *,
    employee: Employee,
    plan_year: int,
    elections: list[Election],
    dependents: list[Dependent],
    window: EnrolmentWindow,
    generated_at: datetime.datetime,
) -> bytes:
    """The statement in the employee's language (whoever downloads it)."""
    register_fonts()
    language = employee.user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        locale = translation.to_locale(language)
        buffer = io.BytesIO()
        title = statement_title(plan_year)
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=title,
            author=_("ESS — Employee self-service"),
            subject=employee.user.get_full_name() or employee.user.email,
            creator="ESS",
            lang=language,
        )
        footer = _("%(title)s · %(name)s") % {
            "title": title,
            "name": employee.user.get_full_name() or employee.user.email,
        }

        def draw_footer(canvas, document) -> None:
            canvas.saveState()
            canvas.setFont("ESS", 8)
            canvas.setFillColor(MUTED)
            canvas.drawString(document.leftMargin, 10 * mm, footer)
            canvas.drawRightString(
                document.leftMargin + document.width,
                10 * mm,
                _("Page %(number)d") % {"number": document.page},
            )
            canvas.restoreState()

        doc.build(
            _story(employee, plan_year, elections, dependents, window, generated_at, locale),
            onFirstPage=draw_footer,
            onLaterPages=draw_footer,
        )
    return buffer.getvalue()
