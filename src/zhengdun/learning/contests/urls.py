from django.urls import path

from zhengdun.learning.contests import views_contests as contests
from zhengdun.learning.contests import views_drills as drills

app_name = "contests"

urlpatterns = [
    path("", contests.contest_list, name="contest_list"),
    path("new/", contests.contest_create, name="contest_create"),
    path("<int:pk>/", contests.contest_detail, name="contest_detail"),
    path("<int:pk>/entries/", contests.contest_entries, name="contest_entries"),
    path("<int:pk>/entries/new/", contests.entry_add, name="entry_add"),
    path("<int:pk>/ranking/", contests.contest_ranking, name="contest_ranking"),
    path("<int:pk>/state/", contests.contest_state, name="contest_state"),
    path("<int:pk>/awards/", contests.contest_awards, name="contest_awards"),
    path("<int:pk>/draw/", contests.contest_draw, name="contest_draw"),
    path("<int:pk>/host/", contests.host, name="host"),
    path("<int:pk>/host/answer/", contests.host_answer, name="host_answer"),
    path("<int:pk>/host/<str:step>/", contests.host_step, name="host_step"),
    path("<int:pk>/screen/", contests.screen, name="screen"),
    path("<int:pk>/screen/live/", contests.screen_live, name="screen_live"),
    path("entries/<int:pk>/score/", contests.entry_score, name="entry_score"),
    path("drills/", drills.plan_list, name="plan_list"),
    path("drills/new/", drills.plan_create, name="plan_create"),
    path("drills/<int:pk>/", drills.plan_detail, name="plan_detail"),
    path("drills/<int:pk>/subjects/new/", drills.subject_form, name="subject_create"),
    path("drills/<int:pk>/subjects/<int:subject_pk>/", drills.subject_form, name="subject_edit"),
    path("drills/<int:pk>/results/", drills.result_list, name="result_list"),
    path("drills/<int:pk>/untested/", drills.untested, name="untested"),
    path("drills/<int:pk>/record/", drills.result_record, name="result_record"),
    path("drills/<int:pk>/import/", drills.results_import, name="results_import"),
    path("drills/<int:pk>/template.xlsx", drills.results_template, name="results_template"),
    path("drills/<int:pk>/competitions/new/", drills.competition_create, name="competition_create"),
    path("competitions/<int:pk>/", drills.competition_detail, name="competition_detail"),
    path(
        "competitions/<int:pk>/entries/<int:entry_pk>/",
        drills.competition_result,
        name="competition_result",
    ),
]
