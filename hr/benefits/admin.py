from django.contrib import admin

from hr.benefits.models import CoverageLevel, EnrolmentWindow, Plan


class CoverageLevelInline(admin.TabularInline):
    model = CoverageLevel
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "currency", "is_active")
    list_filter = ("category", "is_active")
    inlines = [CoverageLevelInline]


@admin.register(EnrolmentWindow)
class EnrolmentWindowAdmin(admin.ModelAdmin):
    list_display = ("plan_year", "opens_on", "closes_on")
