"""JSON search for signed-in people: `GET /api/search?q=…&limit=…&type=…`."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from ess.search.models import DocumentType
from ess.search.selectors import search

MAX_LIMIT = 50


@require_GET
def search_api(request: HttpRequest) -> JsonResponse:
    try:
        limit = int(request.GET.get("limit", 10))
    except ValueError:
        return JsonResponse({"error": "limit must be a whole number"}, status=400)
    if not 1 <= limit <= MAX_LIMIT:
        return JsonResponse({"error": f"limit must be between 1 and {MAX_LIMIT}"}, status=400)
    types = request.GET.getlist("type")
    unknown = [value for value in types if value not in DocumentType.values]
    if unknown:
        return JsonResponse(
            {"error": "unknown type", "allowed": sorted(DocumentType.values)}, status=400
        )
    results = search(
        user=request.user,
        query=request.GET.get("q", ""),
        limit=limit,
        doc_types=types,
        language=request.GET.get("lang", "")[:8],
        log_source="api",
    )
    response = JsonResponse(
        {
            "results": [
                {
                    "type": hit.doc_type,
                    "key": hit.key,
                    "title": hit.title,
                    "url": hit.url,
                    "snippet": str(hit.snippet),
                    "language": hit.language,
                    "score": hit.score,
                }
                for hit in results.hits
            ],
            "total": results.total,
            "did_you_mean": results.did_you_mean,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response
