"""The administration site as a county's administrator meets it: named after minsheng,
in their language, with what they set up first listed first.

Django lists applications alphabetically by their translated names, which in Chinese put
Open311 and the task queue above the reference data a new installation starts with.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Setting up a county goes in this order: areas, units, categories and routing rules, then
# the accounts of the people who work there; the rest is looked at later, if ever.
ORDER = [
    "directory",
    "accounts",
    "cases",
    "projects",
    "triage",
    "insight",
    "intake",
    "open311",
    "contacts",
    "auth",
    "django_tasks_database",
]


# Within the reference data, each row needs the ones before it.
DIRECTORY_ORDER = ["area", "unit", "category", "routingrule", "calendarday"]


def get_app_list(request, app_label=None):  # type: ignore[no-untyped-def]
    apps = admin.AdminSite.get_app_list(admin.site, request, app_label)
    rank = {label: i for i, label in enumerate(ORDER)}
    for app in apps:
        if app["app_label"] == "directory":
            place = {name: i for i, name in enumerate(DIRECTORY_ORDER)}
            app["models"].sort(key=lambda m: place.get(m["object_name"].lower(), len(place)))
    return sorted(apps, key=lambda app: (rank.get(app["app_label"], len(ORDER)), app["name"]))


def configure() -> None:
    admin.site.site_header = _("minsheng administration")
    admin.site.site_title = _("minsheng administration")
    admin.site.index_title = _("Set up areas, units, categories, routing rules and accounts")
    admin.site.get_app_list = get_app_list  # type: ignore[method-assign]
    # The administration site's sign-in counts failures like the staff sign-in does.
    from minsheng.accounts.forms import AdminLoginForm

    admin.site.login_form = AdminLoginForm
