"""Admin pages for looking things up; articles change through the knowledge base's own
pages, which keep versions, audit and the search index in step."""

from django.contrib import admin

from helpdesk.knowledge.models import Article, Category, Space, Tag


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "space", "position")
    list_filter = ("space",)
    search_fields = ("path",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("key", "space", "category", "language", "status", "audience", "views")
    list_filter = ("status", "audience", "language", "space")
    search_fields = ("key",)
    list_select_related = ("space", "category")
    readonly_fields = [
        field.name
        for field in (*Article._meta.fields, *Article._meta.many_to_many)
        if field.name != "id"
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
