"""The annual statement: a year's current released payslips, added up by line code."""

from collections.abc import Sequence
from decimal import Decimal

from payroll import periods
from payroll.lines import ZERO, LineKind, Totals, lines_from_json
from payroll.models import Payslip


def annual_document(payslips: Sequence[Payslip], *, year: int, language: str, firm):
    from hr.validation import mask
    from payroll.pdf import AnnualStatementDocument

    by_code: dict[str, list] = {}
    months = []
    gross = deductions = net = employer = ZERO
    for payslip in payslips:
        for line in lines_from_json(payslip.lines):
            row = by_code.setdefault(line.code, [line.code, line.label, line.kind, ZERO])
            row[3] += line.amount
        months.append(
            (
                periods.period_label(payslip.period, language),
                payslip.gross,
                payslip.total_deductions,
                payslip.net,
            )
        )
        gross += payslip.gross
        deductions += payslip.total_deductions
        net += payslip.net
        employer += payslip.employer_contributions
    order = {kind: index for index, kind in enumerate(LineKind.values)}
    rows = sorted((tuple(row) for row in by_code.values()), key=lambda row: (order[row[2]], row[0]))
    first = payslips[0]
    user = first.employee.user
    profile = getattr(first.employee, "profile", None)
    return AnnualStatementDocument(
        language=language,
        company_name=firm.name,
        company_address_lines=list(firm.address_lines),
        employee_name=user.get_full_name() or user.email,
        employee_number=first.employee.employee_number,
        year=year,
        rows=[(code, label, kind, Decimal(amount)) for code, label, kind, amount in rows],
        totals=Totals(gross=gross, deductions=deductions, net=net, employer=employer),
        months=months,
        masked_iban=mask(profile.iban) if profile is not None and profile.iban else "",
    )
