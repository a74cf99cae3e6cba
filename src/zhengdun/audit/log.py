"""Writing audit events. Called from actions only, inside their transaction."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from zhengdun.audit.chain import compute_hash
from zhengdun.audit.codes import Code
from zhengdun.audit.models import AuditEvent, AuditHead


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, stable across databases."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]}."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def object_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def record(
    *,
    actor,
    code: Code | str,
    obj: models.Model | None = None,
    unit=None,
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    The chain head is locked for the rest of the caller's transaction, so concurrent writers
    append one after another and ``seq`` never has gaps.
    """
    code = Code(code)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1)
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor_id=actor.pk if authenticated else None,
            actor_label=actor.get_username() if authenticated else "",
            code=code.value,
            object_type=object_type_of(obj) if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=(object_repr if object_repr is not None else str(obj or ""))[:200],
            unit_id=getattr(unit, "pk", unit),
            changes=_plain(changes or {}),
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event
