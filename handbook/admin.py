from django.contrib import admin

from handbook.models import Chapter, HandbookPdf, Section, SectionVersion


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "position")


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("title", "chapter", "owner", "review_by", "current_version")
    list_filter = ("chapter",)
    raw_id_fields = ("owner", "parent", "current_version")


# Versions move only through the workflow (handbook.services); the admin only looks.
@admin.register(SectionVersion)
class SectionVersionAdmin(admin.ModelAdmin):
    list_display = ("section", "number", "status", "author", "reviewer", "published_at")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HandbookPdf)
class HandbookPdfAdmin(admin.ModelAdmin):
    list_display = ("requested_at", "status", "generated_at", "pages", "size")
    readonly_fields = [f.name for f in HandbookPdf._meta.fields]

    def has_add_permission(self, request):
        return False
