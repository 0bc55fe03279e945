from django.urls import path

from minsheng.directory import views

app_name = "directory"
urlpatterns = [
    path("import/", views.import_directory_page, name="import"),
    path("template.xlsx", views.template_download, name="template"),
    path("calendar/", views.calendar_notice_page, name="calendar"),
]
