from django.urls import path

from hr.benefits.views import employee, manage, team

app_name = "benefits"

urlpatterns = [
    path("", employee.home, name="home"),
    path("<int:year>/", employee.year, name="year"),
    path("<int:year>/plans/<int:plan_id>/", employee.elect, name="elect"),
    path("statements/<int:employee_id>/<int:year>/", employee.statement, name="statement"),
    path("dependents/", employee.dependents, name="dependents"),
    path("dependents/<int:pk>/", employee.dependent_edit, name="dependent_edit"),
    path("dependents/<int:pk>/remove/", employee.dependent_remove, name="dependent_remove"),
    path("life-events/", employee.life_events, name="life_events"),
    path("life-events/new/", employee.life_event_new, name="life_event_new"),
    path("life-events/<int:pk>/", employee.life_event_detail, name="life_event"),
    path("life-events/<int:pk>/attach/", employee.life_event_attach, name="life_event_attach"),
    path(
        "life-events/<int:pk>/<slug:action>/",
        manage.life_event_decide,
        name="life_event_decide",
    ),
    path("team/", team.team, name="team"),
    path("team/<int:pk>/<slug:action>/", team.team_decide, name="team_decide"),
    path("manage/", manage.overview, name="manage"),
    path("manage/plans/new/", manage.plan_new, name="manage_plan_new"),
    path("manage/plans/<int:pk>/", manage.plan_detail, name="manage_plan"),
    path("manage/plans/<int:pk>/edit/", manage.plan_edit, name="manage_plan_edit"),
    path("manage/levels/<int:pk>/", manage.level_edit, name="manage_level"),
    path("manage/levels/<int:pk>/remove/", manage.level_delete, name="manage_level_remove"),
    path("manage/windows/new/", manage.window_form, name="manage_window_new"),
    path("manage/windows/<int:pk>/", manage.window_form, name="manage_window"),
    path("manage/enrolment/", manage.EnrolmentView.as_view(), name="manage_enrolment"),
    path("manage/life-events/", manage.LifeEventQueueView.as_view(), name="manage_life_events"),
    path(
        "manage/employees/<int:employee_id>/",
        manage.employee_detail,
        name="manage_employee",
    ),
]
