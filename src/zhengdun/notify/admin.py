from django.contrib import admin

from zhengdun.core.admin import ReadOnlyAdmin
from zhengdun.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
