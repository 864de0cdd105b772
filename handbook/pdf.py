"""The whole published handbook as a PDF, with reportlab.

Title page, a table of contents with page numbers (and PDF bookmarks), then one chapter per
page run with page numbers in the footer. Section texts are Markdown, turned into reportlab
flowables here: headings, paragraphs with bold/italic/code/links, lists, quotes, code blocks
and tables. Raw HTML in the Markdown is left out. DejaVu Sans is embedded (subset), so names
such as Ødegård and Łukasz print and can be copied out of the file.
"""

import datetime
import io
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Preformatted,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from ess.pdf import BRAND, MUTED, register_fonts
from handbook.models import Chapter

LINK_SCHEMES = {"http", "https", "mailto"}

_MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("Body", fontName="ESS", fontSize=10, leading=14, spaceAfter=6)
    return {
        "Body": body,
        "Cell": ParagraphStyle("Cell", parent=body, fontSize=9, leading=12, spaceAfter=0),
        "Quote": ParagraphStyle(
            "Quote", parent=body, leftIndent=12, textColor=MUTED, fontName="ESS-Italic"
        ),
        "Code": ParagraphStyle(
            "Code",
            parent=body,
            fontName="ESS-Mono",
            fontSize=8.5,
            leading=11,
            leftIndent=8,
            backColor=colors.HexColor("#f3f3f3"),
            borderPadding=4,
        ),
        "Meta": ParagraphStyle("Meta", parent=body, fontSize=8.5, textColor=MUTED),
        "Title": ParagraphStyle(
            "Title",
            parent=body,
            fontName="ESS-Bold",
            fontSize=30,
            leading=36,
            textColor=BRAND,
            alignment=TA_CENTER,
            spaceAfter=18,
        ),
        "Subtitle": ParagraphStyle(
            "Subtitle",
            parent=body,
            fontSize=13,
            leading=18,
            alignment=TA_CENTER,
            textColor=MUTED,
        ),
        "TocHeading": ParagraphStyle(
            "TocHeading",
            parent=body,
            fontName="ESS-Bold",
            fontSize=18,
            leading=22,
            spaceAfter=12,
            textColor=BRAND,
        ),
        "Chapter": ParagraphStyle(
            "Chapter",
            parent=body,
            fontName="ESS-Bold",
            fontSize=20,
            leading=25,
            spaceAfter=6,
            textColor=BRAND,
        ),
        "Section": ParagraphStyle(
            "Section",
            parent=body,
            fontName="ESS-Bold",
            fontSize=14,
            leading=18,
            spaceBefore=14,
            spaceAfter=2,
        ),
        "Subsection": ParagraphStyle(
            "Subsection",
            parent=body,
            fontName="ESS-Bold",
            fontSize=12,
            leading=16,
            spaceBefore=10,
            spaceAfter=2,
        ),
        "H1": ParagraphStyle(
            "H1",
            parent=body,
            fontName="ESS-Bold",
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "H2": ParagraphStyle(
            "H2",
            parent=body,
            fontName="ESS-BoldItalic",
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "Toc0": ParagraphStyle(
            "Toc0",
            parent=body,
            fontName="ESS-Bold",
            fontSize=11,
            leading=15,
            spaceBefore=6,
        ),
        "Toc1": ParagraphStyle("Toc1", parent=body, leftIndent=14, spaceAfter=1),
        "Toc2": ParagraphStyle(
            "Toc2", parent=body, fontSize=9, leftIndent=28, spaceAfter=0, textColor=MUTED
        ),
    }


# --- Markdown to flowables ------------------------------------------------------------------
def _inline(node: SyntaxTreeNode) -> str:
    """Inline Markdown as reportlab paragraph markup; every piece of text is escaped."""
    out = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            out.append(escape(child.content))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("<br/>")
        elif kind == "code_inline":
            out.append(f'<font face="ESS-Mono">{escape(child.content)}</font>')
        elif kind == "strong":
            out.append(f"<b>{_inline(child)}</b>")
        elif kind == "em":
            out.append(f"<i>{_inline(child)}</i>")
        elif kind == "s":
            out.append(f"<strike>{_inline(child)}</strike>")
        elif kind == "link":
            out.append(_link(child))
        elif kind == "image":
            out.append(f"[{_inline(child)}]")
        # html_inline and anything unknown: left out.
    return "".join(out)


def _link(node: SyntaxTreeNode) -> str:
    text = _inline(node)
    href = str(node.attrs.get("href", ""))
    if urlsplit(href).scheme not in LINK_SCHEMES:
        return text
    target = escape(href, {'"': "&quot;"})
    return f'<a href="{target}" color="#1d4e89"><u>{text}</u></a>'


def _paragraph_text(node: SyntaxTreeNode) -> str:
    return "".join(_inline(child) for child in node.children if child.type == "inline")


def _list(node: SyntaxTreeNode, styles, style: ParagraphStyle) -> ListFlowable:
    items = [
        ListItem(_blocks(item.children, styles, style) or [Paragraph("", style)])
        for item in node.children
    ]
    if node.type == "ordered_list":
        return ListFlowable(
            items,
            bulletType="1",
            start=int(node.attrs.get("start", 1)),
            bulletFontName="ESS",
            bulletFontSize=style.fontSize,
            leftIndent=16,
        )
    return ListFlowable(
        items,
        bulletType="bullet",
        start="•",
        bulletFontName="ESS",
        bulletFontSize=style.fontSize,
        leftIndent=14,
    )


def _table(node: SyntaxTreeNode, styles) -> Table:
    rows = [
        [Paragraph(_paragraph_text(cell), styles["Cell"]) for cell in row.children]
        for part in node.children  # thead, tbody
        for row in part.children
    ]
    table = Table(rows, repeatRows=1, hAlign="LEFT")
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


def _blocks(nodes, styles, style: ParagraphStyle | None = None) -> list[Flowable]:
    style = style or styles["Body"]
    flow: list[Flowable] = []
    for node in nodes:
        kind = node.type
        if kind == "heading":
            level_style = styles["H1"] if node.tag in ("h1", "h2") else styles["H2"]
            flow.append(Paragraph(_paragraph_text(node), level_style))
        elif kind == "paragraph":
            flow.append(Paragraph(_paragraph_text(node), style))
        elif kind in ("bullet_list", "ordered_list"):
            flow.append(_list(node, styles, style))
        elif kind == "blockquote":
            flow.extend(_blocks(node.children, styles, styles["Quote"]))
        elif kind in ("fence", "code_block"):
            flow.append(Preformatted(node.content.rstrip("\n"), styles["Code"]))
        elif kind == "table":
            flow.append(_table(node, styles))
            flow.append(Spacer(1, 6))
        elif kind == "hr":
            flow.append(HRFlowable(width="100%", color=colors.HexColor("#cccccc")))
        # html_block: raw HTML (an embedded video) has no place on paper.
    return flow


def markdown_flowables(text: str, styles=None) -> list[Flowable]:
    register_fonts()
    styles = styles or _styles()
    return _blocks(SyntaxTreeNode(_MD.parse(text or "")).children, styles)


# --- The document ---------------------------------------------------------------------------
class _Heading(Paragraph):
    """A chapter or section title that goes into the table of contents and the bookmarks."""

    def __init__(self, text: str, style, *, level: int, key: str, plain: str) -> None:
        super().__init__(text, style)
        self.toc_level, self.toc_key, self.toc_text = level, key, plain


class _HandbookDoc(BaseDocTemplate):
    def __init__(self, buffer, *, footer: str, **kwargs) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=22 * mm,
            rightMargin=22 * mm,
            topMargin=20 * mm,
            bottomMargin=22 * mm,
            **kwargs,
        )
        self.footer = footer
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="title", frames=[frame]),
                PageTemplate(id="body", frames=[frame], onPage=self._draw_footer),
            ]
        )

    def _draw_footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("ESS", 8)
        canvas.setFillColor(MUTED)
        y = 12 * mm
        canvas.drawString(self.leftMargin, y, self.footer)
        canvas.drawRightString(
            self.leftMargin + self.width, y, _("Page %(number)d") % {"number": doc.page}
        )
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, _Heading):
            self.notify(
                "TOCEntry", (flowable.toc_level, flowable.toc_text, self.page, flowable.toc_key)
            )
            self.canv.bookmarkPage(flowable.toc_key)
            self.canv.addOutlineEntry(
                flowable.toc_text,
                flowable.toc_key,
                level=flowable.toc_level,
                closed=flowable.toc_level > 0,
            )


def _story(chapters: list[Chapter], styles, *, generated_at: datetime.datetime) -> list:
    section_count = sum(len(chapter.all_sections) for chapter in chapters)
    date = formats.date_format(generated_at, "j F Y")
    story: list[Flowable] = [
        Spacer(1, 70 * mm),
        Paragraph(escape(_("Employee handbook")), styles["Title"]),
        Paragraph(
            escape(
                _("%(chapters)d chapters, %(sections)d sections")
                % {"chapters": len(chapters), "sections": section_count}
            ),
            styles["Subtitle"],
        ),
        Spacer(1, 6),
        Paragraph(
            escape(_("Published content as of %(date)s") % {"date": date}), styles["Subtitle"]
        ),
        Spacer(1, 60 * mm),
        Paragraph(
            escape(
                _(
                    "The portal always shows the current handbook. A printed or saved copy "
                    "may be out of date."
                )
            ),
            styles["Meta"],
        ),
        NextPageTemplate("body"),
        PageBreak(),
        Paragraph(escape(_("Contents")), styles["TocHeading"]),
    ]
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [styles["Toc0"], styles["Toc1"], styles["Toc2"]]
    story.append(toc)
    for number, chapter in enumerate(chapters, start=1):
        story.append(PageBreak())
        title = f"{number}. {chapter.title}"
        story.append(
            _Heading(escape(title), styles["Chapter"], level=0, key=f"ch{chapter.pk}", plain=title)
        )
        if chapter.summary:
            story.append(Paragraph(escape(chapter.summary), styles["Meta"]))
        for section in chapter.all_sections:
            story.extend(_section_flowables(section, styles))
    return story


def _section_flowables(section, styles) -> list[Flowable]:
    version = section.current_version
    heading = _Heading(
        escape(section.title),
        styles["Subsection" if section.depth else "Section"],
        level=1 + section.depth,
        key=f"s{section.pk}",
        plain=section.title,
    )
    meta = Paragraph(
        escape(
            _("Version %(number)d, last updated %(date)s · Owner: %(owner)s")
            % {
                "number": version.number,
                "date": formats.date_format(version.published_at, "j F Y"),
                "owner": section.owner.get_full_name() or section.owner.email,
            }
        ),
        styles["Meta"],
    )
    body = markdown_flowables(version.body, styles)
    # Keep a heading with the start of its text, never alone at the foot of a page.
    return [KeepTogether([heading, meta, *body[:1]]), *body[1:]]


def render_handbook(chapters: list[Chapter], *, generated_at: datetime.datetime) -> RenderedPdf:
    """The handbook PDF for chapters from `selectors.published_content()`."""
    register_fonts()
    with translation.override(settings.LANGUAGE_CODE):
        styles = _styles()
        buffer = io.BytesIO()
        doc = _HandbookDoc(
            buffer,
            footer=_("Employee handbook"),
            title=_("Employee handbook"),
            author=_("ESS — Employee self-service"),
            subject=_("The published employee handbook"),
            creator="ESS",
            lang=settings.LANGUAGE_CODE,
            displayDocTitle=True,
        )
        doc.multiBuild(_story(chapters, styles, generated_at=generated_at))
    return RenderedPdf(data=buffer.getvalue(), pages=doc.page)
