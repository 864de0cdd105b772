from django.urls import path

from hr import views
from hr.models import ChangeRequest

app_name = "hr"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/history/", views.history, name="history"),
    path(
        f"profile/requests/new/{ChangeRequest.Kind.BANK_ACCOUNT}/",
        views.bank_request_new,
        {"kind": ChangeRequest.Kind.BANK_ACCOUNT},
        name="request_new_bank",
    ),
    path("profile/requests/new/<slug:kind>/", views.request_new, name="request_new"),
    path("requests/", views.ChangeRequestQueueView.as_view(), name="queue"),
    path("employees/<int:pk>/", views.employee_record, name="employee_record"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/comment/", views.request_comment, name="request_comment"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
]
