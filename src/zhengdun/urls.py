from django.contrib import admin
from django.urls import include, path

from zhengdun.api import api

urlpatterns = [
    path("", include("zhengdun.core.urls")),
    path("accounts/", include("zhengdun.accounts.urls")),
    path("org/", include("zhengdun.org.urls")),
    path("campaigns/", include("zhengdun.campaigns.urls")),
    path("selfcheck/", include("zhengdun.selfcheck.urls")),
    path("supervision/", include("zhengdun.supervision.urls")),
    path("report/", include("zhengdun.integrity.portal.urls")),
    path("integrity/portal-page/", include("zhengdun.integrity.portal.urls_office")),
    path("integrity/", include("zhengdun.integrity.urls")),
    path("learning/exams/", include("zhengdun.learning.exams.urls")),
    path("learning/contests/", include("zhengdun.learning.contests.urls")),
    path("learning/", include("zhengdun.learning.urls")),
    path("audit/", include("zhengdun.audit.urls")),
    path("inbox/", include("zhengdun.notify.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = "zhengdun.core.views.error_400"
handler403 = "zhengdun.core.views.error_403"
handler404 = "zhengdun.core.views.error_404"
handler500 = "zhengdun.core.views.error_500"
