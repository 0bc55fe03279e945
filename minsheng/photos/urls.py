from django.urls import path

from minsheng.photos import views

app_name = "photos"
urlpatterns = [
    path("staff/cases/<int:pk>/photos/<uuid:uid>/", views.staff, name="staff"),
    path(
        "staff/cases/<int:pk>/photos/<uuid:uid>/thumbnail/",
        views.staff_thumbnail,
        name="staff_thumbnail",
    ),
    path("track/<str:code>/photos/<uuid:uid>/", views.holder, name="holder"),
    path(
        "track/<str:code>/photos/<uuid:uid>/thumbnail/",
        views.holder_thumbnail,
        name="holder_thumbnail",
    ),
]
