from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import ApiToken, Role, User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "scope_area", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("units", "scope_area")
    # What an administrator sets for every account comes first; Django's own flags and
    # permissions, which the role already decides, are folded away at the end.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Work"),
            {
                "fields": (
                    "display_name",
                    "role",
                    "units",
                    "scope_area",
                    "is_active",
                    "must_change_password",
                )
            },
        ),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {
                "classes": ("collapse",),
                "fields": ("is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        (_("Important dates"), {"classes": ("collapse",), "fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("Work"),
            {"fields": ("display_name", "role", "units", "scope_area", "must_change_password")},
        ),
    )

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if (
            change
            and "role" in form.changed_data
            and form.initial.get("role") == Role.ADMINISTRATOR
        ):
            # No longer an administrator: the flags the role had set go with it.
            obj.is_staff = obj.is_superuser = False
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        # Tokens are issued with `minsheng issue_token USERNAME --name NAME`, which shows the
        # secret once.
        return False
