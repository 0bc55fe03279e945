from django.urls import path

from minsheng.triage import views

app_name = "triage_models"
urlpatterns = [
    path("", views.models_page, name="index"),
    path("suggest/", views.suggest_json, name="suggest"),
    path("train/", views.train_now, name="train"),
    path("auto-dispatch/", views.set_auto_dispatch, name="auto_dispatch"),
    path("<slug:kind>/<int:version>/activate/", views.activate, name="activate"),
]
