from django.contrib import admin

from zhengdun.audit.models import AuditEvent
from zhengdun.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "code", "object_repr"]
    list_filter = ["code"]
    search_fields = ["object_repr", "actor_label"]
