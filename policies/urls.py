from django.urls import path

from policies import reports, views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.manage_create, name="manage_create"),
    path("manage/<slug:slug>/", views.manage_detail, name="manage_detail"),
    path("manage/<slug:slug>/versions/new/", views.version_new, name="version_new"),
    path(
        "manage/<slug:slug>/versions/<int:number>/attach/",
        views.version_attach,
        name="version_attach",
    ),
    path(
        "manage/<slug:slug>/versions/<int:number>/<slug:action>/",
        views.version_action,
        name="version_action",
    ),
    path("compliance/", reports.compliance, name="compliance"),
    path(
        "compliance/<slug:slug>/people/",
        reports.ComplianceDrillDown.as_view(),
        name="compliance_people",
    ),
    path("stale/", reports.stale_content, name="stale"),
    path("<slug:slug>/", views.policy_detail, name="detail"),
    path("<slug:slug>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/diff/", views.version_diff, name="diff"),
    path("<slug:slug>/acknowledge/", views.acknowledge, name="acknowledge"),
]
