from django.urls import path

from zhengdun.org import views, views_excel

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/grants/", views.grant_add, name="grant_add"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("import/", views_excel.import_page, name="import"),
    path("import/template/<str:kind>.xlsx", views_excel.template, name="import_template"),
    path("export/<str:kind>.xlsx", views_excel.export, name="export"),
]
