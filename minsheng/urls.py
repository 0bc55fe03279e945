from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from minsheng import admin_site, health, source

admin_site.configure()
handler500 = "minsheng.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("minsheng.accounts.urls")),
    path("api/", include("minsheng.api.urls")),
    path("open311/v2/", include("minsheng.open311.urls")),
    # Before the staff and resident pages: case photos, behind the same checks as those.
    path("", include("minsheng.photos.urls")),
    path("staff/posters/", include("minsheng.intake.poster_urls")),
    path("staff/setup/", include("minsheng.directory.urls")),
    path("staff/", include("minsheng.intake.staff_urls")),
    path("staff/dashboard/", include("minsheng.insight.dashboard_urls")),
    path("staff/hotspots/", include("minsheng.insight.hotspot_urls")),
    path("staff/triage-models/", include("minsheng.triage.urls")),
    path("staff/projects/", include("minsheng.projects.urls")),
    path("staff/", include("minsheng.cases.urls")),
    path("board/", include("minsheng.insight.urls")),
    path("sms/", include("minsheng.intake.sms_urls")),
    path("source/", source.download, name="source"),
    path("healthz", health.healthz, name="healthz"),
    # Pages name their icon; this answers what browsers ask for anyway (PDFs, bookmarks).
    path("favicon.ico", RedirectView.as_view(url=static("minsheng/favicon.svg"), permanent=True)),
    path("", include("minsheng.intake.urls")),
]
