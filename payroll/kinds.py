from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

PAYSLIPS = register_kind(NotificationKind("payslips", _("My payslips")))
