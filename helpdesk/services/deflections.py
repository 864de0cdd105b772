""" "This solved it": a suggested article that answered the question instead of a ticket."""

from django.db import IntegrityError, transaction

from ess.accounts.models import User
from ess.search.services import searcher_hash
from helpdesk.models import Deflection, RequestType


def deflection_record(
    *, user: User, request_type: RequestType | None, query: str, doc_type: str, doc_key: str
) -> bool:
    """Count "this solved it" once per person, article and request type. True if new."""
    if not user.is_authenticated:
        return False
    try:
        with transaction.atomic():
            _row, created = Deflection.objects.get_or_create(
                searcher=searcher_hash(user),
                doc_type=(doc_type or "")[:20],
                doc_key=(doc_key or "")[:120],
                request_type=request_type,
                defaults={"query": (query or "")[:200]},
            )
    except IntegrityError:  # a double click racing itself
        return False
    return created
