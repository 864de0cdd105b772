from django.urls import path

from ess.search.api import search_api

app_name = "search_api"

urlpatterns = [path("search", search_api, name="search")]
