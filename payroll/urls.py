from django.urls import include, path

from payroll import views

app_name = "payroll"

urlpatterns = [
    path("", views.my_payslips, name="mine"),
    path("payslips/<int:pk>/", views.payslip_detail, name="payslip"),
    path("payslips/<int:pk>/pdf/", views.payslip_pdf, name="pdf"),
    path("payslips/<int:pk>/compare/", views.payslip_compare, name="compare"),
    path("payslips/<int:pk>/correct/", views.payslip_correct, name="correct"),
    path("annual/<int:year>/", views.annual_statement, name="annual"),
    path("runs/", views.runs, name="runs"),
    path("runs/calculate/", views.run_calculate, name="calculate"),
    path("runs/import/", views.run_import, name="import"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="progress"),
    path("runs/<int:pk>/approve/", views.run_approve, name="approve"),
    path("runs/<int:pk>/release/", views.run_release, name="release"),
    path("runs/<int:pk>/retry/", views.run_retry, name="retry"),
    path("structures/", include("payroll.structure_urls")),
]
