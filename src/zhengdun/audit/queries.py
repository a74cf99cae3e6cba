from django.db.models import QuerySet

from zhengdun.audit.log import object_type_of
from zhengdun.audit.models import AuditEvent
from zhengdun.org import scope
from zhengdun.org.roles import Perm

HISTORY_LIMIT = 50


def history_for(obj) -> list[AuditEvent]:
    """The latest events about one object. The caller has already checked the object's gate."""
    return list(
        AuditEvent.objects.filter(object_type=object_type_of(obj), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-seq")[:HISTORY_LIMIT]
    )


def events_visible_to(
    user, *, code: str = "", actor: str = "", q: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(scope.within(user, Perm.VIEW_AUDIT, "unit__path"))
    if code:
        events = events.filter(code__startswith=code)
    if actor:
        events = events.filter(actor_label=actor)
    if q:
        events = events.filter(object_repr__icontains=q)
    return events.select_related("unit").order_by("-seq")
