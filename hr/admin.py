from django.contrib import admin

from hr.models import Department, Employee, Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "time_zone")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent")
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("employee_number", "user", "job_title", "department", "location")
    list_select_related = ("user", "department", "location")
    search_fields = ("employee_number", "user__email", "user__last_name", "job_title")
    list_filter = ("location", "contract_type")
    raw_id_fields = ("user", "manager")
