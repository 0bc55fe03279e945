"""GeoReport v2 under /open311/v2/: every resource as <name>.<format> (xml or json)."""

from django.urls import re_path

from minsheng.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.service_request_updates, name="updates"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
