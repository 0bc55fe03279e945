"""Read-only views of the models and their history: changes go through the models page
and the `triage` command, which measure and record them (automatic dispatch, too, is
switched on the models page, which logs who did it)."""

from django.contrib import admin

from minsheng.triage.models import ModelChange, SuggestionRecord, TriageModel, TriageSettings


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(TriageModel)
class TriageModelAdmin(ReadOnly):
    list_display = ("kind", "version", "state", "created_at", "n_train", "macro_f1", "accuracy")
    list_filter = ("kind", "state")
    exclude = ("data",)


@admin.register(ModelChange)
class ModelChangeAdmin(ReadOnly):
    list_display = ("created_at", "kind", "model", "action", "actor", "trigger")
    list_filter = ("kind", "action")


@admin.register(SuggestionRecord)
class SuggestionRecordAdmin(ReadOnly):
    list_display = ("case", "stage", "mode", "confident", "unit_confident", "followed")
    list_filter = ("stage", "mode", "followed")
    raw_id_fields = ("case",)


@admin.register(TriageSettings)
class TriageSettingsAdmin(ReadOnly):
    list_display = ("auto_dispatch", "changed_at", "changed_by")
