"""Hot spots under /staff/hotspots/."""

from django.urls import path

from minsheng.insight import hotspot_views

app_name = "hotspots"
urlpatterns = [
    path("", hotspot_views.hotspot_list, name="list"),
    # Before "<key>/": hot spots' keys are numbers ("village-category").
    path("section/", hotspot_views.hotspot_section, name="section"),
    path("<str:key>/", hotspot_views.hotspot_detail, name="detail"),
    path("<str:key>/coordinate/", hotspot_views.hotspot_coordinate, name="coordinate"),
]
