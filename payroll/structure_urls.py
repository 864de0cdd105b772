"""Salary structures and tax tables, for payroll officers. Included by payroll/urls.py under
"structures/", inside the "payroll" namespace."""

from django.urls import path

from payroll import structure_views as views

urlpatterns = [
    path("", views.structures, name="structures"),
    path("file/", views.structure_file, name="structure_file"),
    path("<int:pk>/", views.structure_detail, name="structure"),
    path("<int:pk>/components/new/", views.component_add, name="component_add"),
    path("components/<int:pk>/", views.component_edit, name="component_edit"),
    path("components/<int:pk>/delete/", views.component_delete, name="component_delete"),
    path("tables/<int:pk>/", views.table_detail, name="table"),
    path("tables/<int:pk>/bands/new/", views.band_add, name="band_add"),
    path("bands/<int:pk>/", views.band_edit, name="band_edit"),
    path("bands/<int:pk>/delete/", views.band_delete, name="band_delete"),
]
