"""One letter as a PDF, with reportlab.

Letterhead, date, addressee, subject, the text in paragraphs, a signature block, and a footer
on every page with the verification code and where to check it. All text is plain: it is
escaped before reportlab reads it, so markup in a template or an addressee prints as
written. DejaVu Sans is embedded (the handbook's fonts), so Ødegård and Łukasz print.
"""

import io
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from ess.pdf import BRAND, MUTED, register_fonts

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


@dataclass(frozen=True)
class LetterContent:
    language: str
    company_name: str
    address_lines: list[str]
    contact_line: str
    date_text: str
    addressee: str
    subject: str
    body: str
    signatory_name: str
    signatory_title: str
    code: str  # as displayed, in groups
    verify_url: str
    template_name: str


@dataclass(frozen=True)
class RenderedLetter:
    data: bytes
    pages: int


def _plain(text: str) -> str:
    """Escaped paragraph markup for plain text; single line breaks stay line breaks."""
    return "<br/>".join(escape(line) for line in text.strip().split("\n"))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("Body", fontName="ESS", fontSize=10.5, leading=15, spaceAfter=8)
    return {
        "Body": body,
        "Company": ParagraphStyle(
            "Company", parent=body, fontName="ESS-Bold", fontSize=18, leading=22, textColor=BRAND
        ),
        "Letterhead": ParagraphStyle(
            "Letterhead", parent=body, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=0
        ),
        "Date": ParagraphStyle("Date", parent=body, alignment=TA_RIGHT),
        "Subject": ParagraphStyle(
            "Subject", parent=body, fontName="ESS-Bold", fontSize=12, leading=16, spaceAfter=10
        ),
        "Signature": ParagraphStyle("Signature", parent=body, spaceAfter=0),
        "SignatureName": ParagraphStyle(
            "SignatureName", parent=body, fontName="ESS-Bold", spaceAfter=0
        ),
    }


def _story(content: LetterContent, styles) -> list:
    head = [Paragraph(escape(content.company_name), styles["Company"])]
    head += [Paragraph(escape(line), styles["Letterhead"]) for line in content.address_lines]
    if content.contact_line:
        head.append(Paragraph(escape(content.contact_line), styles["Letterhead"]))
    story = [
        *head,
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", color=BRAND, thickness=1.2),
        Spacer(1, 8 * mm),
        Paragraph(escape(content.date_text), styles["Date"]),
        Paragraph(
            escape(_("To: %(addressee)s") % {"addressee": content.addressee}), styles["Body"]
        ),
        Spacer(1, 4 * mm),
        Paragraph(_plain(content.subject), styles["Subject"]),
    ]
    story.extend(
        Paragraph(_plain(block), styles["Body"])
        for block in PARAGRAPH_BREAK.split(content.body.strip())
        if block.strip()
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 6 * mm),
                Paragraph(escape(_("Kind regards,")), styles["Signature"]),
                Spacer(1, 14 * mm),
                Paragraph(escape(content.signatory_name), styles["SignatureName"]),
                Paragraph(escape(content.signatory_title), styles["Signature"]),
                Paragraph(escape(content.company_name), styles["Signature"]),
            ]
        )
    )
    return story


def _footer(content: LetterContent):
    code_line = _("Verification code: %(code)s") % {"code": content.code}
    verify_line = _("Verify this letter at %(url)s") % {"url": content.verify_url}

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.4)
        canvas.line(doc.leftMargin, 19 * mm, doc.leftMargin + doc.width, 19 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont("ESS-Bold", 8.5)
        canvas.drawString(doc.leftMargin, 15 * mm, code_line)
        canvas.setFont("ESS", 8)
        canvas.drawString(doc.leftMargin, 11 * mm, verify_line)
        canvas.drawRightString(
            doc.leftMargin + doc.width, 11 * mm, _("Page %(number)d") % {"number": doc.page}
        )
        canvas.restoreState()

    return draw


def render_letter(content: LetterContent) -> RenderedLetter:
    register_fonts()
    with translation.override(content.language):
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=25 * mm,
            rightMargin=25 * mm,
            topMargin=20 * mm,
            bottomMargin=28 * mm,
            title=content.subject,
            author=content.company_name,
            subject=content.template_name,
            creator="ESS",
            lang=content.language,
            displayDocTitle=True,
        )
        footer = _footer(content)
        doc.build(_story(content, _styles()), onFirstPage=footer, onLaterPages=footer)
    return RenderedLetter(data=buffer.getvalue(), pages=doc.page)
