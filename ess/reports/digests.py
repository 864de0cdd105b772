"""Report digests: a subscriber's figures for the last complete week or month, by e-mail.

The beat job runs daily. For each subscription it works out the last complete period and
claims the (subscription, period) pair with a unique row in the same transaction as the
notification, whose outbox message carries the e-mail; a rerun, a retry after a broker
outage or a second worker finds the claim and sends nothing. The notification's dedupe key
is the same pair, as a second guard.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.notifications.kinds import NotificationKind, register_kind
from ess.notifications.services import notify
from ess.reports.base import ReportContext, ReportFilters, get_report
from ess.reports.forms import filter_query
from ess.reports.models import DigestDelivery, DigestSubscription
from ess.reports.periods import Period, last_complete_month, last_complete_week, report_today

logger = logging.getLogger(__name__)

DIGEST = register_kind(NotificationKind("reports.digest", gettext_lazy("Report digests")))


class DigestRefused(Exception):
    pass


def digest_subscribe(
    *, user: User, report_slug: str, frequency: str, filters: ReportFilters
) -> DigestSubscription:
    report = get_report(report_slug)
    if report is None or not report.visible_to(user):
        raise DigestRefused(_("You cannot subscribe to this report."))
    if frequency not in DigestSubscription.Frequency.values:
        raise DigestRefused(_("Choose weekly or monthly."))
    subscription, _created = DigestSubscription.objects.update_or_create(
        user=user,
        report=report_slug,
        frequency=frequency,
        defaults={
            "department": filters.department if "department" in report.uses else None,
            "location": filters.location if "location" in report.uses else None,
            "queue": filters.queue if "queue" in report.uses else None,
        },
    )
    audit_record(
        actor=user,
        action="reports.digest_subscribed",
        target=subscription,
        detail={"report": report_slug, "frequency": frequency},
    )
    return subscription


def digest_unsubscribe(*, user: User, subscription_id: int) -> bool:
    subscription = DigestSubscription.objects.filter(pk=subscription_id, user=user).first()
    if subscription is None:
        return False
    audit_record(
        actor=user,
        action="reports.digest_unsubscribed",
        target=subscription,
        detail={"report": subscription.report, "frequency": subscription.frequency},
    )
    subscription.delete()
    return True


def digest_period(frequency: str, today: datetime.date) -> Period:
    if frequency == DigestSubscription.Frequency.WEEKLY:
        return last_complete_week(today)
    return last_complete_month(today)


def _filters(subscription: DigestSubscription, period: Period) -> ReportFilters:
    return ReportFilters(
        period=period,
        department=subscription.department,
        location=subscription.location,
        queue=subscription.queue,
        compare=True,
    )


def digest_text(subscription: DigestSubscription, period: Period) -> tuple[str, str, str]:
    """(title, body, url) in the subscriber's language."""
    report = get_report(subscription.report)
    filters = _filters(subscription, period)
    page = report.build(ReportContext(subscription.user, filters))
    title = _("%(report)s: %(start)s to %(end)s") % {
        "report": report.title,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    lines = []
    for figure in page.figures:
        line = f"- {figure.label}: {figure.display()}"
        if figure.previous is not None:
            line += " " + _("(previous period: %(value)s)") % {
                "value": figure.display(figure.previous)
            }
        lines.append(line)
    body = "\n".join(lines)
    url = reverse("reports:report", args=[report.slug]) + "?" + filter_query(filters)
    return title, body, url


def digest_send(subscription: DigestSubscription, *, today: datetime.date) -> bool:
    """Send one subscription's digest for its last complete period; False when it was
    already sent (or the subscriber may no longer read the report)."""
    report = get_report(subscription.report)
    user = subscription.user
    if report is None or not user.is_active or not report.visible_to(user):
        return False
    period = digest_period(subscription.frequency, today)
    try:
        with transaction.atomic():
            DigestDelivery.objects.create(
                subscription=subscription, period_start=period.start, period_end=period.end
            )
            with translation.override(user.language or settings.LANGUAGE_CODE):
                title, body, url = digest_text(subscription, period)
            notify(
                recipient=user,
                kind=DIGEST.key,
                title=title,
                body=body,
                url=url,
                dedupe_key=f"reports.digest:{subscription.pk}:{period.start.isoformat()}",
            )
    except IntegrityError:
        return False
    return True


def digests_send_due(*, today: datetime.date | None = None) -> int:
    today = today or report_today()
    sent = 0
    subscriptions = DigestSubscription.objects.select_related(
        "user", "department", "location", "queue"
    ).order_by("pk")
    for subscription in subscriptions.iterator(chunk_size=200):
        try:
            sent += digest_send(subscription, today=today)
        except Exception:
            # One broken subscription must not hold back everyone else's digest; the next
            # run tries it again, since nothing was claimed.
            logger.exception("Report digest %s failed", subscription.pk)
    return sent
