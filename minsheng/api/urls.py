"""Mounted at /api/ by minsheng.urls. URL names live in the "api" namespace, which is also
the NinjaAPI's urls_namespace, so ninja's own reverse() calls (docs → schema) resolve."""

from minsheng.api.api import api

app_name = "api"
urlpatterns = api.urls[0]
