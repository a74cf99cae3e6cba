from django.urls import path

from zhengdun.selfcheck import views, views_excel, views_signals

app_name = "selfcheck"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/heat-map/", views.heat_map, name="heat_map"),
    path("rounds/<int:pk>/signals/", views_signals.signals, name="signals"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/opinions/", views.opinion_add, name="opinion_add"),
    path("reports/<int:pk>/import/", views_excel.report_import, name="report_import"),
    path(
        "reports/<int:pk>/import/template.xlsx",
        views_excel.report_template,
        name="report_template",
    ),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views_excel.ledger_export, name="ledger_export"),
    path("measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure_progress"),
    path("measures/<int:pk>/complete/", views.measure_complete, name="measure_complete"),
    path("measures/<int:pk>/verify/", views.measure_verify, name="measure_verify"),
    path("measures/<int:pk>/reject/", views.measure_reject, name="measure_reject"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
