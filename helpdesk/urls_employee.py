"""The employee side of the service desk (joined into the "helpdesk" namespace)."""

from django.urls import path

from helpdesk import views_employee as views

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.catalog_search, name="catalog_search"),
    path("new/<slug:slug>/", views.request_new, name="request"),
    path("new/<slug:slug>/suggestions/", views.deflect_suggestions, name="deflect_suggestions"),
    path("deflect/", views.deflect, name="deflect"),
    path("requests/", views.my_requests, name="my_requests"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    path("tickets/<int:pk>/rate/", views.rate, name="rate"),
    path("tickets/<int:pk>/appointment.ics", views.appointment_ics, name="appointment_ics"),
    path("rate/<str:token>/", views.rate_link, name="rate_link"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/", views.approval_decide, name="approval_decide"),
]
