"""The one way ESS turns author-written Markdown into HTML: policies, the handbook and the
knowledge base all render through `render_markdown`.

Markdown (CommonMark with tables) is rendered by markdown-it, then every tag, attribute and
URL scheme is checked against an allow-list by nh3. Authors may embed video only from the
internal hosts in ESS_VIDEO_HOSTS.
"""

from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "iframe",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "iframe": {"src", "title", "allowfullscreen", "width", "height"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "ol": {"start"},
    "th": {"scope"},
}
# No javascript:, no data: (images come from attachments, served by an authorising view).
URL_SCHEMES = {"http", "https", "mailto"}


def _markdown() -> MarkdownIt:
    # html=True lets authors paste an <iframe> for internal video; nh3 strips everything else.
    return (
        MarkdownIt("commonmark", {"html": True, "linkify": False})
        .enable("table")
        .enable("strikethrough")
        .use(anchors_plugin, min_level=1, max_level=4, permalink=False)
    )


_MD = _markdown()


def _video_host_allowed(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname in settings.ESS_VIDEO_HOSTS


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src" and not _video_host_allowed(value):
        return None
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML, safe to put in a template as it is."""
    return mark_safe(sanitize_html(_MD.render(text or "")))  # noqa: S308 (sanitised just above)


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


def table_of_contents(text: str, *, max_level: int = 3) -> list[Heading]:
    """The headings of a Markdown text with the anchors `render_markdown` gives them."""
    headings = []
    tokens = _MD.parse(text or "")
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and int(token.tag[1]) <= max_level:
            inline = tokens[index + 1]
            headings.append(
                Heading(int(token.tag[1]), token.attrs.get("id", ""), unescape(inline.content))
            )
    return headings


def plain_text(text: str) -> str:
    """The words of a Markdown text without markup, for search and PDF extraction checks."""
    return nh3.clean(_MD.render(text or ""), tags=set()).strip()
