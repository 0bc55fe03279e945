from django.urls import path

from minsheng.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="project_new"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/figures/", views.project_figures, name="figures"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/cases/", views.case_link, name="case_link"),
    path("<int:pk>/complete/", views.project_complete, name="complete"),
    path("<int:pk>/cancel/", views.project_cancel, name="cancel"),
    path("<int:pk>/public/", views.project_public, name="public"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("milestones/<int:pk>/reopen/", views.milestone_reopen, name="milestone_reopen"),
    path("link-case/<int:case_pk>/", views.link_from_case, name="link_from_case"),
    path("links/<int:pk>/unlink/", views.case_unlink, name="case_unlink"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/match/", views.need_match, name="match"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/withdraw/", views.resource_withdraw, name="resource_withdraw"),
]
