from django.urls import path

from helpdesk.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.home, name="home"),
    path("a/<slug:key>/", views.article, name="article"),
    path("a/<slug:key>/feedback/", views.feedback, name="feedback"),
    path("ask/", views.ask, name="ask"),
    path("questions/", views.my_questions, name="my_questions"),
    path("questions/<int:pk>/", views.question, name="question"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question_answer"),
    # Editors
    path("manage/", views.ArticleListView.as_view(), name="manage"),
    path("manage/new/", views.article_create, name="article_create"),
    path("manage/preview/", views.markdown_preview, name="preview"),
    path("manage/reviews/", views.review_tasks, name="review_tasks"),
    path("manage/reviews/<int:pk>/close/", views.review_task_close, name="review_task_close"),
    path("manage/questions/", views.question_queue, name="question_queue"),
    path("manage/a/<slug:key>/", views.article_manage, name="article_manage"),
    path("manage/a/<slug:key>/edit/", views.article_edit, name="article_edit"),
    path("manage/a/<slug:key>/submit/", views.article_submit, name="article_submit"),
    path("manage/a/<slug:key>/publish/", views.article_publish, name="article_publish"),
    path("manage/a/<slug:key>/archive/", views.article_archive, name="article_archive"),
    path("manage/a/<slug:key>/audience/", views.article_audience, name="article_audience"),
    path("manage/a/<slug:key>/related/", views.article_related, name="article_related"),
    path("manage/a/<slug:key>/translation/", views.article_translation, name="article_translation"),
    path("manage/a/<slug:key>/attachments/", views.article_attachment, name="article_attachment"),
    path("manage/a/<slug:key>/versions/", views.article_versions, name="article_versions"),
    path("manage/a/<slug:key>/compare/", views.article_diff, name="article_diff"),
    path(
        "manage/a/<slug:key>/versions/<int:number>/restore/",
        views.article_restore,
        name="article_restore",
    ),
    # Spaces last: "a", "ask", "questions" and "manage" are not space names.
    path("<slug:space_slug>/", views.space, name="space"),
    path("<slug:space_slug>/c/<int:pk>/", views.category, name="category"),
]
