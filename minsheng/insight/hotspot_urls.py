"""Hot spots under /staff/hotspots/."""

from django.urls import path

from minsheng.insight import hotspot_views

app_name = "hotspots"
urlpatterns = [
    path("", hotspot_views.hotspot_list, name="list"),
    path("<str:key>/", hotspot_views.hotspot_detail, name="detail"),
    path("<str:key>/coordinate/", hotspot_views.hotspot_coordinate, name="coordinate"),
]
