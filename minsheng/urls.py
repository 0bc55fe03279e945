from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("minsheng.accounts.urls")),
    path("api/", include("minsheng.api.urls")),
    path("open311/v2/", include("minsheng.open311.urls")),
    path("staff/", include("minsheng.cases.urls")),
    path("", include("minsheng.intake.urls")),
]
