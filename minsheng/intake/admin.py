"""Administrators edit the resident SMS texts and read what the SMS door did.

The logs are read-only and hold no phone number or message text; SMS codes are drawn by
the system and never change, so posters on the wall keep working.
"""

from django.contrib import admin

from minsheng.intake.models import AreaSmsCode, InboundMessage, OutboundMessage, SmsTemplate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    """One text per moment and language; edited, never added or removed."""

    list_display = ("kind", "language", "text", "updated_at")
    list_filter = ("kind", "language")
    fields = ("kind", "language", "text")
    readonly_fields = ("kind", "language")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(AreaSmsCode)
class AreaSmsCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "area", "created_at")
    search_fields = ("code", "area__name", "area__code")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "case", "language", "backend", "status", "sent_at")
    list_filter = ("status", "kind", "backend")
    fields = ("created_at", "kind", "case", "language", "backend", "status", "error", "sent_at")
    list_select_related = ("case",)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "code_matched", "area", "case", "reply")
    list_filter = ("reply", "code_matched")
    list_select_related = ("area", "case")
