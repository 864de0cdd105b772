"""Uploading and serving content attachments: type checked by content, stored privately."""

import contextvars
import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.content.models import Attachment

# Magic bytes of the types content may carry. SVG and HTML are deliberately absent: they can
# carry script and are never accepted.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # docx, xlsx, pptx
]
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

# Which apps own attachments, and who may read an owner: model label -> can_read(user, obj).
_READERS: dict[str, Callable[[User, models.Model], bool]] = {}
# What to record when someone opens one (private documents are audited by their owner app).
_ON_READ: dict[str, Callable[[User, models.Model, Attachment], None]] = {}
# Owners whose images may open in the browser (pictures in an article). Everything else,
# such as a photo sent with a ticket by anyone, is always downloaded.
_INLINE_IMAGES: set[str] = set()


def register_attachment_owner(
    label: str,
    can_read: Callable[[User, models.Model], bool],
    *,
    on_read: Callable[[User, models.Model, Attachment], None] | None = None,
    inline_images: bool = True,
) -> None:
    _READERS[label] = can_read
    if inline_images:
        _INLINE_IMAGES.add(label)
    else:
        _INLINE_IMAGES.discard(label)
    if on_read is not None:
        _ON_READ[label] = on_read


def _label(attachment: Attachment) -> str:
    return attachment.owner_type.app_label + "." + attachment.owner_type.model


def can_read_attachment(user: User, attachment: Attachment) -> bool:
    reader = _READERS.get(_label(attachment))
    owner = attachment.owner
    return bool(reader and owner is not None and reader(user, owner))


def serves_inline(attachment: Attachment) -> bool:
    return attachment.is_image and _label(attachment) in _INLINE_IMAGES


def attachment_read_record(user: User, attachment: Attachment) -> None:
    on_read = _ON_READ.get(_label(attachment))
    if on_read is not None:
        on_read(user, attachment.owner, attachment)


# Files stored inside the current `files_removed_on_error` block.
_STORED_IN_BLOCK: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "attachments_stored_in_block", default=None
)


@contextmanager
def files_removed_on_error() -> Iterator[None]:
    """Delete the files stored inside the block if the block fails.

    A rolled-back transaction removes the attachment rows but not the files on disk; wrap
    the whole transaction (outside its `atomic`) so a later error leaves no orphan file.
    """
    outer = _STORED_IN_BLOCK.get()
    stored: list = []
    token = _STORED_IN_BLOCK.set(stored)
    try:
        yield
    except BaseException:
        for file in stored:
            file.delete(save=False)
        raise
    else:
        # An enclosing block may still fail and roll these rows back too.
        if outer is not None:
            outer.extend(stored)
    finally:
        _STORED_IN_BLOCK.reset(token)


def removes_files_on_error(function):
    """Decorator form of `files_removed_on_error`; put it above `@transaction.atomic`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with files_removed_on_error():
            return function(*args, **kwargs)

    return wrapper


def attachment_check(upload: UploadedFile) -> str:
    """Refuse a file that is too large or of a type not allowed; return its detected type.

    Call it on every file of a submission before storing any of them."""
    if upload.size > settings.ESS_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.ESS_ATTACHMENT_MAX_BYTES // 1_000_000},
            code="file_size",
        )
    head = upload.read(16)
    upload.seek(0)
    return _detect_type(head, _clean_name(upload.name or ""))


def _detect_type(head: bytes, filename: str) -> str:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            if content_type == "application/zip":
                suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
                if suffix in OFFICE_TYPES:
                    return OFFICE_TYPES[suffix]
                break
            return content_type
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "image/webp"
    raise ValidationError(
        _(
            "This type of file cannot be attached. Use PDF, an image (PNG, JPEG, GIF, WebP) "
            "or an Office document."
        ),
        code="file_type",
    )


def _clean_name(name: str) -> str:
    # Keep the name for display only; drop path parts and control characters.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "attachment"


@transaction.atomic
def attachment_add(*, owner: models.Model, upload: UploadedFile, uploaded_by: User) -> Attachment:
    name = _clean_name(upload.name or "")
    content_type = attachment_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
    )
    attachment.file.save(name, upload, save=False)
    # If the row cannot be written, the stored file must not linger as an orphan.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    stored = _STORED_IN_BLOCK.get()
    if stored is not None:
        stored.append(attachment.file)
    audit_record(
        actor=uploaded_by,
        action="attachment.added",
        target=owner,
        detail={"attachment": attachment.pk, "type": content_type},
    )
    return attachment


def attachments_of(owners) -> dict[int, list[Attachment]]:
    """Attachments of several objects of one model, by owner id, in one query."""
    owners = list(owners)
    if not owners:
        return {}
    found: dict[int, list[Attachment]] = {owner.pk: [] for owner in owners}
    for item in Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(owners[0]), owner_id__in=list(found)
    ).order_by("uploaded_at"):
        found[item.owner_id].append(item)
    return found
