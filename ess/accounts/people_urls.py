from django.urls import path

from ess.accounts import people_views as views

app_name = "people"

urlpatterns = [
    path("", views.PeopleAccessListView.as_view(), name="list"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/roles/grant/", views.grant_role, name="grant_role"),
    path("<int:pk>/roles/<slug:role>/revoke/", views.revoke_role, name="revoke_role"),
    path("<int:pk>/sessions/revoke/", views.revoke_sessions, name="revoke_sessions"),
]
