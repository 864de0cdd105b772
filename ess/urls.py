from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from ess.portal.views import healthz

# The admin signs in through allauth, so its rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "ESS administration"

urlpatterns = [
    path("", include("ess.portal.urls")),
    path("healthz", healthz, name="healthz"),
    # Before sign-in the language comes from this cookie; afterwards from the profile.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("settings/", include("ess.accounts.urls")),
    path("notifications/", include("ess.notifications.urls")),
    path("audit/", include("ess.audit.urls")),
    path("people/", include("ess.accounts.people_urls")),
    path("content/", include("ess.content.urls")),
    path("hr/", include("hr.urls")),
    path("directory/", include("hr.directory.urls")),
    path("benefits/", include("hr.benefits.urls")),
    path("letters/", include("hr.letters.urls")),
    path("payroll/", include("payroll.urls")),
    path("handbook/", include("handbook.urls")),
    path("policies/", include("policies.urls")),
    path("kb/", include("helpdesk.knowledge.urls")),
    path("desk/", include("helpdesk.urls")),
    path("search/", include("ess.search.urls")),
    path("reports/", include("ess.reports.urls")),
    path("api/", include("ess.search.api_urls")),
    path("admin/", admin.site.urls),
]
