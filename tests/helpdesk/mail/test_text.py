"""The text kept from an e-mail: the new part of a reply, and HTML turned into plain text."""

from helpdesk.mail_in import MAX_BODY_CHARS, html_to_text, message_text, strip_quoted
from tests.helpdesk.mail.mails import make_mail


def test_quoted_lines_are_dropped_wherever_they_are():
    text = "Yes.\n> Did it work?\nAnd the scanner too.\n>> older"

    assert strip_quoted(text) == "Yes.\nAnd the scanner too."


def test_everything_after_the_signature_marker_is_dropped():
    assert strip_quoted("Done.\n\n-- \nEmma Example\n+31 6 1234") == "Done."


def test_a_from_line_without_a_sent_line_is_kept():
    text = "From: the finance team I heard it is fixed.\nThanks"

    assert strip_quoted(text) == text


def test_crlf_line_ends_are_normalised():
    assert strip_quoted("One\r\nTwo\r\n> three\r\n") == "One\nTwo"


def test_html_becomes_text_with_line_breaks_and_no_script():
    text = html_to_text(
        "<div>Hello<br>there</div><script>document.cookie</script><p>a &amp; b &lt;tag&gt;</p>"
    )

    assert text.split() == ["Hello", "there", "a", "&", "b", "<tag>"]
    assert "cookie" not in text


def test_a_very_long_mail_is_cut():
    message = make_mail(sender="a@example.org", to="b@example.org", body="x" * 150_000)

    assert len(message_text(message)) == MAX_BODY_CHARS
