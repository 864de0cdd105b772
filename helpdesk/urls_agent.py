"""The agent side of the desk: the workspace, the ticket page and its actions, satisfaction,
availability, and the desk's administration (queues, catalog, canned replies)."""

from django.urls import path

from helpdesk import views_admin, views_agent, views_team

urlpatterns = [
    path("work/", views_agent.WorkspaceView.as_view(), name="workspace"),
    path("work/bulk/", views_agent.bulk, name="bulk"),
    path("work/views/", views_agent.saved_view_save, name="saved_view_save"),
    path("work/views/<int:pk>/delete/", views_agent.saved_view_delete, name="saved_view_delete"),
    path("work/<int:pk>/", views_agent.work, name="work"),
    path("work/<int:pk>/update/", views_agent.work_update, name="work_update"),
    path("work/<int:pk>/reply/", views_agent.work_reply, name="work_reply"),
    path("work/<int:pk>/note/", views_agent.work_note, name="work_note"),
    path("work/<int:pk>/merge/", views_agent.work_merge, name="work_merge"),
    path("work/<int:pk>/links/", views_agent.work_link, name="work_link"),
    path("work/<int:pk>/watchers/", views_agent.work_watchers, name="work_watchers"),
    path("work/<int:pk>/access/", views_agent.work_access, name="work_access"),
    path("work/<int:pk>/knowledge/", views_agent.work_kcs, name="work_kcs"),
    path("work/<int:pk>/canned/", views_agent.canned_preview, name="canned_preview"),
    path("satisfaction/", views_team.csat, name="csat"),
    path("availability/", views_team.slots, name="slots"),
    path("availability/<int:pk>/withdraw/", views_team.slot_withdraw, name="slot_withdraw"),
    path("availability/<int:pk>/cancel/", views_team.slot_cancel, name="slot_cancel"),
    # Administration
    path("admin/queues/", views_admin.queues, name="admin_queues"),
    path("admin/queues/<int:pk>/", views_admin.queue, name="admin_queue"),
    path("admin/catalog/", views_admin.catalog, name="admin_catalog"),
    path("admin/catalog/<int:pk>/", views_admin.request_type, name="admin_request_type"),
    path("admin/canned/", views_admin.canned, name="admin_canned"),
]
