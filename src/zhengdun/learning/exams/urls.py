from django.urls import path

from zhengdun.learning.exams import views, views_bank, views_manage

app_name = "exams"

urlpatterns = [
    path("", views.my_exams, name="my_exams"),
    path("<int:pk>/", views.exam_detail, name="exam_detail"),
    path("<int:pk>/start/", views.exam_start, name="exam_start"),
    path("attempts/<int:pk>/", views.attempt_view, name="attempt"),
    path("attempts/<int:pk>/save/", views.attempt_save, name="attempt_save"),
    path("questions/", views_bank.question_list, name="question_list"),
    path("questions/new/", views_bank.question_create, name="question_create"),
    path("questions/<int:pk>/", views_bank.question_edit, name="question_edit"),
    path("questions/export.xlsx", views_bank.question_export, name="question_export"),
    path("questions/template.xlsx", views_bank.question_template, name="question_template"),
    path("questions/import/", views_bank.question_import, name="question_import"),
    path("manage/", views_manage.manage_list, name="manage_list"),
    path("manage/new/", views_manage.manage_create, name="manage_create"),
    path("manage/<int:pk>/", views_manage.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/publish/", views_manage.manage_publish, name="manage_publish"),
    path("manage/<int:pk>/results/", views_manage.results, name="results"),
    path("manage/<int:pk>/statistics/", views_manage.statistics, name="statistics"),
]
