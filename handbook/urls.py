from django.urls import path

from handbook import views

app_name = "handbook"

urlpatterns = [
    path("", views.index, name="index"),
    path("print/", views.print_view, name="print"),
    path("pdf/", views.pdf_download, name="pdf"),
    # Editors
    path("manage/", views.SectionListView.as_view(), name="manage"),
    path("manage/stale/", views.StaleSectionListView.as_view(), name="stale"),
    path("manage/pdf/", views.pdf_generate, name="pdf_generate"),
    path("manage/chapters/new/", views.ChapterCreateView.as_view(), name="chapter_create"),
    path("manage/chapters/<int:pk>/", views.ChapterUpdateView.as_view(), name="chapter_edit"),
    path(
        "manage/chapters/<int:chapter_pk>/sections/new/",
        views.SectionCreateView.as_view(),
        name="section_create",
    ),
    path("manage/sections/<int:pk>/", views.workbench, name="workbench"),
    path("manage/sections/<int:pk>/edit/", views.SectionUpdateView.as_view(), name="section_edit"),
    path("manage/sections/<int:pk>/write/", views.VersionWriteView.as_view(), name="write"),
    path("manage/versions/<int:pk>/submit/", views.version_submit, name="submit"),
    path("manage/versions/<int:pk>/approve/", views.version_approve, name="approve"),
    path("manage/versions/<int:pk>/reject/", views.version_reject, name="reject"),
    path("manage/versions/<int:pk>/publish/", views.version_publish, name="publish"),
    # Reading (slugs last: "manage", "print" and "pdf" are reserved chapter names)
    path("<slug:chapter_slug>/", views.chapter, name="chapter"),
    path("<slug:chapter_slug>/<slug:section_slug>/", views.section, name="section"),
    path(
        "<slug:chapter_slug>/<slug:section_slug>/history/",
        views.section_history,
        name="history",
    ),
    path(
        "<slug:chapter_slug>/<slug:section_slug>/compare/",
        views.section_compare,
        name="compare",
    ),
    path(
        "<slug:chapter_slug>/<slug:section_slug>/versions/<int:number>/",
        views.section_version,
        name="version",
    ),
]
