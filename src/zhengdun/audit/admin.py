from django.contrib import admin

from zhengdun.audit.models import AuditEvent
from zhengdun.audit.queries import NEED_TO_KNOW_PREFIX, NEED_TO_KNOW_TYPES
from zhengdun.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "code", "object_repr"]
    list_filter = ["code"]
    search_fields = ["object_repr", "actor_label"]

    def get_queryset(self, request):
        # Need-to-know events (clues, cases, portal reports) are not for administrators either:
        # even a clue's number tells that a clue exists.
        return (
            super()
            .get_queryset(request)
            .exclude(code__startswith=NEED_TO_KNOW_PREFIX)
            .exclude(object_type__in=NEED_TO_KNOW_TYPES)
        )
