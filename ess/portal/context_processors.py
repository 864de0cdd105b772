from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ess.portal.sections import sections_for


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from ess.notifications.selectors import notification_unread_count

    # Lazy, so pages that do not draw the frame (htmx partials, exports) run no query.
    return {
        "nav_sections": SimpleLazyObject(lambda: sections_for(user, group="main")),
        "admin_sections": SimpleLazyObject(lambda: sections_for(user, group="admin")),
        "unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user)),
    }
