from django.urls import path

from minsheng.intake import staff_views

app_name = "ledger"
urlpatterns = [
    path("import/", staff_views.import_upload, name="import"),
    path("import/<str:upload_id>/", staff_views.import_map, name="import_map"),
    path("import/<str:upload_id>/check/", staff_views.import_check, name="import_check"),
    path("import/<str:upload_id>/commit/", staff_views.import_commit, name="import_commit"),
    path("import/<str:upload_id>/done/", staff_views.import_done, name="import_done"),
    path("export/", staff_views.export, name="export"),
]
