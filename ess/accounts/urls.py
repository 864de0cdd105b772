from django.urls import path

from ess.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("language/", views.set_language, name="set_language"),
]
