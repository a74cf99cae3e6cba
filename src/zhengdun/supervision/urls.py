from django.urls import path

from zhengdun.supervision import views, views_orders, views_reports, views_scorecards

app_name = "supervision"

urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("coverage/", views.coverage, name="coverage"),
    path("ranking/", views.ranking, name="ranking"),
    path("scorecards/", views_scorecards.score_templates, name="score_templates"),
    path("scorecards/new/", views_scorecards.score_template_new, name="score_template_new"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/", views.group_members, name="group_members"),
    path("groups/<int:pk>/assign/", views.group_assign, name="group_assign"),
    path("groups/<int:pk>/calendar/", views.group_calendar, name="group_calendar"),
    path("groups/<int:pk>/plan/", views.group_plan, name="group_plan"),
    path("groups/<int:pk>/checklist/", views.group_checklist, name="group_checklist"),
    path("groups/<int:pk>/report/", views_reports.group_report, name="group_report"),
    path("units/<int:pk>/", views.unit_visits, name="unit_visits"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/confirm/", views.visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/score/", views.visit_score, name="visit_score"),
    path("visits/<int:pk>/feedback/", views_reports.visit_feedback, name="visit_feedback"),
    path(
        "visits/<int:pk>/feedback.docx",
        views_reports.visit_feedback_docx,
        name="visit_feedback_docx",
    ),
    path("files/<str:kind>/<int:pk>/", views.file_download, name="file"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/new/", views.draw_create, name="draw_create"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("orders/", views_orders.order_list, name="order_list"),
    path("orders/new/", views_orders.order_create, name="order_create"),
    path("orders/<int:pk>/", views_orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/acknowledge/", views_orders.order_acknowledge, name="order_acknowledge"),
    path("orders/<int:pk>/respond/", views_orders.order_respond, name="order_respond"),
    path("orders/<int:pk>/verify/", views_orders.order_verify, name="order_verify"),
    path("orders/<int:pk>/return/", views_orders.order_return, name="order_return"),
    path("orders/<int:pk>/link/", views_orders.order_link, name="order_link"),
]
