from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting exactly ESS_TRUSTED_PROXIES hops of X-Forwarded-For.

    Each trusted proxy appends the address it saw, so the client is that many entries from
    the right; anything further left was written by the client and proves nothing.
    """
    hops = settings.ESS_TRUSTED_PROXIES
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
