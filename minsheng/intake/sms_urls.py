from django.urls import path

from minsheng.intake import sms_views

app_name = "sms"
urlpatterns = [
    path("inbound", sms_views.inbound, name="inbound"),
]
