from django.urls import path

from hr.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.DirectorySearchView.as_view(), name="search"),
    path("people/<int:pk>/", views.person_card, name="card"),
    path("org/", views.org_chart, name="org"),
    path("people/<int:pk>/org/", views.org_chart, name="org_for"),
    path("team/", views.TeamView.as_view(), name="team"),
]
