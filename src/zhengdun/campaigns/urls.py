from django.urls import path

from zhengdun.campaigns import views, views_excel, views_templates

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("mine/", views.my_tasks, name="my_tasks"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/settings/", views.campaign_edit, name="settings"),
    path("<int:pk>/phases/", views.campaign_phases, name="phases"),
    path("<int:pk>/workstreams/", views.campaign_workstream, name="workstream_add"),
    path("<int:pk>/levels/", views.campaign_levels, name="levels"),
    path("<int:pk>/tasks/", views.task_list, name="task_list"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/tasks/export.xlsx", views_excel.task_export, name="task_export"),
    path("<int:pk>/tasks/ledger/", views_excel.task_ledger, name="task_ledger"),
    path("<int:pk>/tasks/import/", views_excel.task_import, name="task_import"),
    path("<int:pk>/tasks/import/template.xlsx", views_excel.task_template, name="task_template"),
    path("<int:pk>/save-as-template/", views_templates.template_save, name="template_save"),
    path("templates/", views_templates.template_list, name="template_list"),
    path("templates/import/", views_templates.template_import, name="template_import"),
    path("templates/<int:pk>/start/", views_templates.template_start, name="template_start"),
    path("templates/<int:pk>/export.json", views_templates.template_export, name="template_export"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/decompose/", views.task_decompose, name="task_decompose"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/start/", views.task_start, name="task_start"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/incentive/", views.task_incentive, name="task_incentive"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
