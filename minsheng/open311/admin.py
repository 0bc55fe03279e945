"""Admin for partner keys (issued once, revoked, never deleted), service attributes and
area boundaries."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.open311.models import ApiKey, AreaBoundary, ServiceAttribute, ServiceProfile


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "unit", "rate_limit", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    autocomplete_fields = ("user", "unit")
    fields = (
        "name",
        "user",
        "unit",
        "rate_limit",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if change:
            super().save_model(request, obj, form, change)
            return
        raw = ApiKey.new_raw_key()
        obj.set_key(raw)
        super().save_model(request, obj, form, change)
        # Shown once: only its hash is stored.
        messages.warning(
            request,
            _("The API key for %(name)s is %(key)s — copy it now, it will not be shown again.")
            % {"name": obj.name, "key": raw},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(n)d keys revoked.") % {"n": count})

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # revoke instead: the submissions a key made stay attributable


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("category", "code", "datatype", "required", "order", "is_active")
    list_filter = ("category", "datatype", "is_active")
    search_fields = ("code", "description")
    ordering = ("category", "order", "code")


@admin.register(ServiceProfile)
class ServiceProfileAdmin(admin.ModelAdmin):
    list_display = ("category", "group")
    search_fields = ("group",)


@admin.register(AreaBoundary)
class AreaBoundaryAdmin(admin.ModelAdmin):
    list_display = ("area", "min_lon", "max_lon", "min_lat", "max_lat")
    search_fields = ("area__name", "area__code")
    autocomplete_fields = ("area",)
