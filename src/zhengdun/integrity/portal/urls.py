from django.urls import path

from zhengdun.integrity.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_report, name="new"),
    path("status/", views.status, name="status"),
    path("status/file/", views.attachment, name="attachment"),
    path("assets/<str:name>", views.asset, name="asset"),
]
