"""The one Markdown renderer: what authors may write, and what never reaches a browser."""

import pytest

from ess.content.diffing import text_diff_html
from ess.content.rendering import plain_text, render_markdown, table_of_contents


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
        ("[click](javascript:alert(1))", 'href="javascript:'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ("![pixel](data:image/png;base64,iVBORw0KGgo=)", "data:"),
        ('<svg onload="alert(1)"><circle r="1"/></svg>', "<svg"),
        ('<iframe src="https://evil.example/x"></iframe>', "evil.example"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="background:url(javascript:x)">y</p>', "style="),
        ("<form action=/x><input name=p></form>", "<form"),
    ],
)
def test_hostile_markup_is_removed(markdown, forbidden):
    assert forbidden.lower() not in render_markdown(markdown).lower()


def test_headings_get_anchors_and_tables_render():
    html = render_markdown("# Leave and holidays\n\n| Days | Who |\n|---|---|\n| 25 | all |")
    assert '<h1 id="leave-and-holidays">Leave and holidays</h1>' in html
    assert "<table>" in html
    assert "<td>25</td>" in html


def test_links_open_safely():
    html = render_markdown("[Portal](https://ess.example.org/)")
    assert 'rel="noopener noreferrer"' in html


def test_video_from_an_allowed_internal_host_is_kept(settings):
    settings.ESS_VIDEO_HOSTS = ["video.northwind.example"]
    html = render_markdown(
        '<iframe src="https://video.northwind.example/v/7" title="Safety"></iframe>'
    )
    assert 'src="https://video.northwind.example/v/7"' in html
    plain_http = render_markdown('<iframe src="http://video.northwind.example/v/7"></iframe>')
    assert "src=" not in plain_http


@pytest.mark.parametrize(
    "broken",
    ["# Unclosed **bold", "<div><p>unclosed", "[link](", "| a |\n|---", "```\nno end", "\x00\x01"],
)
def test_malformed_markdown_renders_without_error(broken):
    html = render_markdown(broken)
    assert isinstance(str(html), str)
    assert "<div" not in html


def test_table_of_contents_and_plain_text():
    text = "# Pay\n\n## Payslips\n\nYour **payslip** arrives monthly.\n\n### Deep"
    assert [(h.level, h.anchor, h.text) for h in table_of_contents(text, max_level=2)] == [
        (1, "pay", "Pay"),
        (2, "payslips", "Payslips"),
    ]
    assert plain_text("Your **payslip** <script>x</script>") == "Your payslip"


def test_diff_escapes_what_it_shows():
    html = text_diff_html("same\n<b>old</b>", "same\n<script>new</script>")
    assert "<script>" not in html
    assert "<del>&lt;b&gt;old&lt;/b&gt;</del>" in html
    assert "<ins>&lt;script&gt;new&lt;/script&gt;</ins>" in html
