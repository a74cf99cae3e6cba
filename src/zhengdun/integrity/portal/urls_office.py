"""The office's page for the portal, in the back office (not under /report/, which may be
published beyond the intranet): mounted at /integrity/portal-page/."""

from django.urls import path

from zhengdun.integrity.portal import views_office

app_name = "portal_office"

urlpatterns = [
    path("", views_office.office_page, name="page"),
    path("notices/new/", views_office.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views_office.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/delete/", views_office.notice_delete, name="notice_delete"),
]
