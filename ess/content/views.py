from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from ess.content.attachments import attachment_read_record, can_read_attachment, serves_inline
from ess.content.models import Attachment


@never_cache
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an attachment to someone who may read what it belongs to; 404 to anyone else."""
    item = get_object_or_404(Attachment.objects.select_related("owner_type"), pk=pk)
    if not can_read_attachment(request.user, item):
        raise Http404
    attachment_read_record(request.user, item)
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not serves_inline(item),
        filename=item.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even an image opened on its own gets no script and no plugins.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
