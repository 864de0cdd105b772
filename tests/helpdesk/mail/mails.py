"""E-mails as mail clients send them, for the desk mailbox tests."""

from email.message import EmailMessage
from email.utils import make_msgid

DESK_DOMAIN = "desk.example.org"
DESK_ADDRESS = f"desk@{DESK_DOMAIN}"


def make_mail(
    *,
    sender: str,
    to: str,
    subject: str = "Re: my request",
    body: str | None = "Thanks, that works.",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> EmailMessage:
    """An e-mail as a mail client sends it; attachments are (filename, content, mime type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="client.example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, content, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message
