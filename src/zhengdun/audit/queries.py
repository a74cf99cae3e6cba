from django.db.models import QuerySet

from zhengdun.audit.log import object_type_of
from zhengdun.audit.models import AuditEvent
from zhengdun.org import scope
from zhengdun.org.roles import Perm

HISTORY_LIMIT = 50
# Audit codes of need-to-know objects, kept off every general audit page; the portal's reports
# (which become clues) likewise.
NEED_TO_KNOW_PREFIX = "integrity."
NEED_TO_KNOW_TYPES = ("portal.publicreport",)


def history_for(obj) -> list[AuditEvent]:
    """The latest events about one object. The caller has already checked the object's gate.
    Need-to-know events are left out (a clue's page shows its own access log instead)."""
    return list(
        AuditEvent.objects.filter(object_type=object_type_of(obj), object_id=str(obj.pk))
        .exclude(code__startswith=NEED_TO_KNOW_PREFIX)
        .select_related("actor")
        .order_by("-seq")[:HISTORY_LIMIT]
    )


def events_visible_to(
    user, *, code: str = "", actor: str = "", q: str = ""
) -> QuerySet[AuditEvent]:
    # Need-to-know events (clues, cases) are never listed here, whoever asks (superusers
    # included): they show only on the clue's own access log (integrity.queries).
    events = (
        AuditEvent.objects.filter(scope.within(user, Perm.VIEW_AUDIT, "unit__path"))
        .exclude(code__startswith=NEED_TO_KNOW_PREFIX)
        .exclude(object_type__in=NEED_TO_KNOW_TYPES)
    )
    if code:
        events = events.filter(code__startswith=code)
    if actor:
        events = events.filter(actor_label=actor)
    if q:
        events = events.filter(object_repr__icontains=q)
    return events.select_related("unit").order_by("-seq")
