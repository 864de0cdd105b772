"""A readable line-by-line difference between two versions of a text, as safe HTML."""

import difflib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs where kind is 'same', 'added' or 'removed'."""
    rows = []
    for line in difflib.ndiff((old or "").splitlines(), (new or "").splitlines()):
        code, content = line[:2], line[2:]
        if code == "  ":
            rows.append(("same", content))
        elif code == "+ ":
            rows.append(("added", content))
        elif code == "- ":
            rows.append(("removed", content))
    return rows


def text_diff_html(old: str, new: str) -> SafeString:
    markers = {"same": ("", ""), "added": ("<ins>", "</ins>"), "removed": ("<del>", "</del>")}
    labels = {"same": "&nbsp;", "added": "+", "removed": "&minus;"}
    lines = []
    for kind, content in text_diff(old, new):
        start, end = markers[kind]
        lines.append(
            f'<div class="ess-diff-{kind}"><span class="ess-diff-mark" aria-hidden="true">'
            f"{labels[kind]}</span>{start}{escape(content) or '&nbsp;'}{end}</div>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every line is escaped above)
