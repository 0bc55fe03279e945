from django.urls import path

from minsheng.insight import dashboard_views, report_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.supervisor, name="supervisor"),
    path("unit/<int:pk>/", dashboard_views.unit_dashboard, name="unit"),
    path("cases/", dashboard_views.cases, name="cases"),
    path("report/", report_views.monthly_report, name="report"),
]
