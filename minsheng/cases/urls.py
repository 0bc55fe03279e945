from django.urls import path

from minsheng.cases import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("triage/", views.triage, name="triage"),
    path("intake/", views.intake, name="intake"),
    path("supervise/", views.supervise, name="supervise"),
    path("overdue/", views.overdue, name="overdue"),
    path("search/", views.search, name="search"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/contact/", views.reveal_contact, name="reveal_contact"),
    path("cases/<int:pk>/board/", views.board_visibility, name="board_visibility"),
    path("cases/<int:pk>/<slug:action>/", views.act, name="act"),
]
