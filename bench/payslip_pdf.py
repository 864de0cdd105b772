"""Payslip PDFs per second per worker, and the wall time of a payday's 10,000.

Two renderers of the same realistic twelve-line payslip:
  * real: payroll.pdf.render_payslip, the layout employees get;
  * bare: the floor reportlab sets, a plain Table of the same rows in a SimpleDocTemplate
    with the same fonts (ESS, and ESS-Bold for the header row) and no other styling.
They run in turns, batch by batch, so a busy machine slows both alike; each batch is timed
by the clock and by this process's CPU time, which other work on a shared machine leaves
alone. Target: real at least 70% of bare, by the clock (medians over the rounds).

Then two worker processes render payslips for real (`--parallel`, 2,000 by default,
scaled to 10,000; pass 10000 to measure a whole payday).

    .venv/bin/python bench/payslip_pdf.py [--rounds 15] [--batch 40] [--parallel 2000]

No database is needed: the renderer takes a finished document.
"""

import argparse
import datetime
import functools
import io
import multiprocessing
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write

TARGET_RATIO = 0.70
PAYDAY = 10_000
WORKERS = 2

EARN, DEDUCT, EMPLOYER, INFO = "earning", "deduction", "employer_contribution", "information"
LINES = [  # (code, label, kind, amount, quantity, rate, year to date)
    ("BASE", "Base salary", EARN, "4250.00", "1", "4250.00", "42500.00"),
    ("OT150", "Overtime 150%", EARN, "318.75", "7.5", "42.50", "1275.00"),
    ("SHIFT", "Shift allowance", EARN, "120.00", None, None, "1200.00"),
    ("HOLRES", "Holiday allowance reservation", EARN, "340.00", None, None, "3400.00"),
    ("WAGETAX", "Wage tax", DEDUCT, "1287.40", None, None, "12874.00"),
    ("PENSEE", "Pension premium (employee)", DEDUCT, "212.50", None, None, "2125.00"),
    ("HEALTH", "Health insurance contribution", DEDUCT, "96.30", None, None, "963.00"),
    ("UNION", "Union membership", DEDUCT, "18.00", None, None, "180.00"),
    ("PENSER", "Pension premium (employer)", EMPLOYER, "425.00", None, None, "4250.00"),
    ("SOCSEC", "Social security (employer)", EMPLOYER, "512.60", None, None, "5126.00"),
    ("HOURS", "Hours worked", INFO, "0.00", "167.5", None, "0.00"),
    ("TAXABLE", "Taxable wage", INFO, "4688.75", None, None, "46887.50"),
]


def _number(text):
    return None if text is None else Decimal(text)


def sample_payslip(language: str = "nl"):
    from payroll.lines import Line, totals_of
    from payroll.pdf import PayslipDocument

    lines = [
        Line(code, label, kind, Decimal(amount), _number(quantity), _number(rate), Decimal(ytd))
        for code, label, kind, amount, quantity, rate, ytd in LINES
    ]
    return PayslipDocument(
        language=language,
        company_name="Northwind Traders B.V.",
        company_address_lines=["Keizersgracht 123", "1015 CJ Amsterdam", "Nederland"],
        employee_name="Åse Ødegård",
        employee_number="004711",
        job_title="Senior Operations Engineer",
        department="Operations",
        period_label="oktober 2026",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        pay_date=datetime.date(2026, 10, 23),
        currency="EUR",
        lines=lines,
        totals=totals_of(lines),
        masked_iban="•••• •••• 1234",
        version=1,
        correction_reason="",
        reference="2026-10/004711/v1",
    )


def render_bare(doc, *, bold_header: bool = True) -> bytes:
    """The same rows as the real table, in a plain Table: reportlab's floor. The real
    payslip embeds ESS and ESS-Bold, so the bare one sets its header row in ESS-Bold too
    (each face embedded is a font subset cut and compressed in every file); without it,
    the figure shows what the second face costs."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    from payroll.lines import LineKind, grouped

    def optional(value):
        return "" if value is None else f"{value:,}"

    rows = [["Description", "Quantity", "Rate", "Amount", "Year to date"]]
    for kind, lines in grouped(doc.lines):
        rows.append([str(LineKind(kind).label), "", "", "", ""])
        rows.extend(
            [
                line.label,
                optional(line.quantity),
                optional(line.rate),
                f"{line.amount:,.2f}",
                f"{line.ytd:,.2f}",
            ]
            for line in lines
        )
        amount = sum(line.amount for line in lines)
        ytd = sum(line.ytd for line in lines)
        rows.append(["Total", "", "", f"{amount:,.2f}", f"{ytd:,.2f}"])
    buffer = io.BytesIO()
    fonts = [("FONT", (0, 0), (-1, -1), "ESS")]
    if bold_header:
        fonts.append(("FONT", (0, 0), (-1, 0), "ESS-Bold"))
    SimpleDocTemplate(buffer, pagesize=A4).build([Table(rows, style=fonts)])
    return buffer.getvalue()


def _batch(render, doc, batch: int) -> tuple[float, float]:
    """Documents per second over one batch: by the clock, and by this process's CPU time
    (which other work on a shared machine does not slow down)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(batch):
        render(doc)
    return batch / (time.perf_counter() - wall), batch / (time.process_time() - cpu)


def _summary(real: list[float], bare: list[float]) -> dict:
    ratios = [r / b for r, b in zip(real, bare, strict=True)]
    return {
        "real_per_second": round(statistics.median(real), 1),
        "bare_per_second": round(statistics.median(bare), 1),
        "real_ms": round(1000 / statistics.median(real), 2),
        "bare_ms": round(1000 / statistics.median(bare), 2),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
    }


def compare(rounds: int, batch: int) -> dict:
    """The renderers in turn, batch by batch, starting with a different one each round;
    medians over the rounds."""
    from payroll.pdf import render_payslip

    doc = sample_payslip()
    renderers = {
        "real": render_payslip,
        "bare": render_bare,
        "bare_regular_face_only": functools.partial(render_bare, bold_header=False),
    }
    for render in renderers.values():
        render(doc)  # warm up: fonts parsed, caches filled
    names = list(renderers)
    samples: dict[str, list] = {name: [] for name in names}
    for index in range(rounds):
        for name in names[index % 3 :] + names[: index % 3]:
            samples[name].append(_batch(renderers[name], doc, batch))
    results = {"rounds": rounds, "batch": batch, "pdf_bytes": len(render_payslip(doc))}
    for clock, position in (("wall", 0), ("cpu", 1)):
        rates = {name: [sample[position] for sample in samples[name]] for name in names}
        results[clock] = _summary(rates["real"], rates["bare"])
        regular = statistics.median(rates["bare_regular_face_only"])
        results[clock]["bare_regular_face_only_per_second"] = round(regular, 1)
    return results


def _render_many(count: int) -> int:
    from payroll.pdf import render_payslip

    doc = sample_payslip()
    return sum(len(render_payslip(doc)) for _ in range(count))


def parallel(total: int, workers: int) -> dict:
    """`workers` processes render `total` payslips between them, in tasks of 50. They are
    forked from this process, which has loaded Django and the fonts already, as Celery's
    prefork pool forks its workers from a loaded parent."""
    chunk = 50
    chunks = [chunk] * (total // chunk) + ([total % chunk] if total % chunk else [])
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        started = time.perf_counter()
        written = sum(pool.map(_render_many, chunks, chunksize=1))
        seconds = time.perf_counter() - started
    return {
        "workers": workers,
        "rendered": total,
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds, 1),
        "megabytes_written": round(written / 1e6, 1),
        "payday_payslips": PAYDAY,
        "payday_seconds": round(seconds * PAYDAY / total, 1),
        "payday_measured": total == PAYDAY,
    }


def _cpu_calibration_ms() -> float:
    """A fixed pure-Python loop (best of five): compare it between machines before
    comparing their timings."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, (time.perf_counter() - started) * 1000)
    return round(best, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=40, help="payslips per timed batch")
    parser.add_argument(
        "--parallel", type=int, default=2000, help=f"payslips for the {WORKERS} workers"
    )
    args = parser.parse_args()
    setup_django("payslip_pdf")

    import reportlab

    results = {
        "python": platform.python_version(),
        "reportlab": reportlab.Version,
        "cpu_count": os.cpu_count(),
        "cpu_calibration_ms": _cpu_calibration_ms(),
        "load_average": os.getloadavg(),
        "target_ratio": TARGET_RATIO,
    }
    results["per_worker"] = single = compare(args.rounds, args.batch)
    for clock in ("wall", "cpu"):
        figures = single[clock]
        print(
            f"per worker ({clock:4}): real {figures['real_per_second']}/s "
            f"({figures['real_ms']} ms), bare {figures['bare_per_second']}/s "
            f"({figures['bare_ms']} ms), real/bare {figures['ratio_median']:.0%} "
            f"(rounds {figures['ratio_min']:.0%} to {figures['ratio_max']:.0%})"
        )
    print(
        f"bare with the regular face only: {single['wall']['bare_regular_face_only_per_second']}/s"
        f" by the clock; {single['pdf_bytes']} bytes a payslip"
    )
    results["parallel"] = many = parallel(args.parallel, WORKERS)
    how = "measured" if many["payday_measured"] else f"scaled from {many['rendered']}"
    print(
        f"{WORKERS} workers: {many['rendered']} payslips in {many['seconds']} s "
        f"({many['per_second']}/s); {PAYDAY} payslips: {many['payday_seconds']} s ({how})"
    )
    results["load_average_after"] = os.getloadavg()
    results["target_met"] = single["wall"]["ratio_median"] >= TARGET_RATIO
    path = write("payslip_pdf", results)
    verdict = "met" if results["target_met"] else "MISSED"
    print(f"target real >= {TARGET_RATIO:.0%} of bare {verdict}; written to {path}")


if __name__ == "__main__":
    main()
