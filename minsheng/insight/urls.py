"""The public board under /board/: the county, any area by its code, their CSV feeds, and
the public projects of an area and of each project."""

from django.urls import path

from minsheng.insight import views

app_name = "board"
urlpatterns = [
    path("", views.top_board, name="top"),
    path("cases.csv", views.top_cases_csv, name="top_csv"),
    path("projects/", views.top_projects, name="top_projects"),
    path("project/<int:pk>/", views.project_page, name="project"),
    path("<str:code>/", views.area_board, name="area"),
    path("<str:code>/cases.csv", views.area_cases_csv, name="area_csv"),
    path("<str:code>/projects/", views.area_projects, name="projects"),
]
