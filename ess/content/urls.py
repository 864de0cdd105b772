from django.urls import path

from ess.content import views

app_name = "content"

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
