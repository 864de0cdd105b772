from django.urls import path

from ess.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("digests/", views.digests, name="digests"),
    path("digests/<int:pk>/delete/", views.digest_delete, name="digest_delete"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/pdf/", views.report_pdf, name="pdf"),
    path("<slug:slug>/subscribe/", views.digest_create, name="subscribe"),
    path("<slug:slug>/<slug:drill>/", views.drill_page, name="drill"),
]
