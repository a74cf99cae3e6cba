from django.urls import path

from zhengdun.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("for-person/<int:pk>/", views.person_account, name="person_account"),
]
