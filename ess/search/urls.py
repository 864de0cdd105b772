from django.urls import path

from ess.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="page"),
    path("suggest/", views.suggestions, name="suggest"),
    path("open/", views.open_result, name="open"),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps/dismiss/", views.gap_dismiss, name="gap_dismiss"),
    path("analytics/", views.analytics, name="analytics"),
    path("synonyms/", views.synonyms, name="synonyms"),
    path("synonyms/<int:pk>/", views.synonym_edit, name="synonym_edit"),
    path("synonyms/<int:pk>/toggle/", views.synonym_toggle, name="synonym_toggle"),
    path("synonyms/<int:pk>/delete/", views.synonym_delete, name="synonym_delete"),
]
