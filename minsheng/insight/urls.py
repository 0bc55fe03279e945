"""The public board under /board/: the county, any area by its code, and their CSV feeds."""

from django.urls import path

from minsheng.insight import views

app_name = "board"
urlpatterns = [
    path("", views.top_board, name="top"),
    path("cases.csv", views.top_cases_csv, name="top_csv"),
    path("<str:code>/", views.area_board, name="area"),
    path("<str:code>/cases.csv", views.area_cases_csv, name="area_csv"),
]
