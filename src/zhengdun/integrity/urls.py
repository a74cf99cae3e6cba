from django.urls import path

from zhengdun.integrity import views

app_name = "integrity"

urlpatterns = [
    path("", views.clue_list, name="clue_list"),
    path("new/", views.clue_create, name="clue_create"),
    path("export.xlsx", views.clue_export, name="clue_export"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:pk>/", views.clue_detail, name="clue_detail"),
    path("<int:pk>/log/", views.access_log, name="clue_log"),
    path("<int:pk>/reporter/", views.reporter, name="clue_reporter"),
    path("<int:pk>/do/<slug:action>/", views.clue_action, name="clue_action"),
    path("<int:pk>/reveals/<int:reveal_pk>/", views.reveal_decide, name="reveal_decide"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("<int:pk>/portal-files/<int:file_pk>/", views.portal_file, name="portal_file"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
