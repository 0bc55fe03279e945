"""Read-only admin views: needs, resources and projects change only through their actions,
which check permissions and write the log."""

from django.contrib import admin

from minsheng.projects.models import CaseLink, Milestone, Need, Project, ProjectEvent, Resource


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    can_delete = False
    fields = ("title", "due_date", "done_date")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class CaseLinkInline(admin.TabularInline):
    model = CaseLink
    extra = 0
    can_delete = False
    fields = ("case", "on_completion", "linked_at", "unlinked_at", "outcome")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "area", "status", "progress", "budget", "spent", "lead_unit")
    list_filter = ("status", "category")
    search_fields = ("title",)
    inlines = [MilestoneInline, CaseLinkInline]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("title", "area", "category", "status", "created_at")
    list_filter = ("status", "category")
    search_fields = ("title",)


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = ("title", "sponsor_unit", "area", "amount", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "project", "need", "resource", "actor")
    list_filter = ("kind",)
