from django.urls import path

from hr.letters import views

app_name = "letters"

urlpatterns = [
    path("", views.MyLettersView.as_view(), name="mine"),
    path("request/", views.letter_request, name="request"),
    path("<int:pk>/", views.letter_detail, name="detail"),
    path("<int:pk>/pdf/", views.letter_pdf, name="pdf"),
    path("<int:pk>/withdraw/", views.letter_withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.letter_approve, name="approve"),
    path("<int:pk>/reject/", views.letter_reject, name="reject"),
    path("<int:pk>/revoke/", views.letter_revoke, name="revoke"),
    path("<int:pk>/retry/", views.letter_retry, name="retry"),
    path("requests/", views.LetterQueueView.as_view(), name="queue"),
    path("verify/", views.verify, name="verify"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("letterhead/", views.letterhead_edit, name="letterhead"),
]
