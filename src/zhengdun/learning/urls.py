from django.urls import path

from zhengdun.learning import views, views_courses, views_talks

app_name = "learning"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/files/", views.session_files, name="session_files"),
    path("sessions/<int:pk>/note/", views.session_note, name="session_note"),
    path("materials/<int:pk>/", views.session_file, name="session_file"),
    path("rates/", views.rates, name="rates"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/report/", views.review_report, name="review_report"),
    path("reports/<int:pk>/", views.report_detail, name="review_report_detail"),
    path("reports/<int:pk>/rate/", views.report_rate, name="review_report_rate"),
    path("talks/", views_talks.talk_round_list, name="talk_round_list"),
    path("talks/new/", views_talks.talk_round_create, name="talk_round_create"),
    path("talks/rounds/<int:pk>/", views_talks.talk_round_detail, name="talk_round_detail"),
    path("talks/rounds/<int:pk>/write/", views_talks.talk_write, name="talk_write"),
    path("talks/<int:pk>/", views_talks.talk_detail, name="talk_detail"),
    path("courses/", views_courses.course_list, name="course_list"),
    path("courses/new/", views_courses.course_create, name="course_create"),
    path("courses/<int:pk>/", views_courses.course_detail, name="course_detail"),
    path(
        "courses/<int:pk>/sessions/new/",
        views_courses.course_session_create,
        name="course_session_create",
    ),
    path("courses/<int:pk>/enrol/", views_courses.course_enrol, name="course_enrol"),
    path("courses/<int:pk>/lessons/new/", views_courses.lesson_create, name="course_lesson_create"),
    path(
        "courses/<int:pk>/certificates/",
        views_courses.course_certificates,
        name="course_certificates",
    ),
    path("certificates/<int:pk>.pdf", views_courses.certificate, name="certificate"),
    path("lessons/<int:pk>/", views_courses.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/file", views_courses.lesson_file, name="lesson_file"),
    path("lessons/<int:pk>/progress", views_courses.lesson_progress, name="lesson_progress"),
]
