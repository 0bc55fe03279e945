from django.urls import path

from minsheng.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/sent/<str:code>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.case_detail, name="case"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("track/<str:code>/withdraw/", views.withdraw, name="withdraw"),
]
