from django.urls import path

from minsheng.intake import poster_views

app_name = "posters"
urlpatterns = [
    path("", poster_views.index, name="index"),
    path("township/<str:code>.pdf", poster_views.township_pdf, name="township"),
    path("<str:code>.pdf", poster_views.village_pdf, name="village"),
]
