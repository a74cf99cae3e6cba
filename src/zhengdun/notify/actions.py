from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.notify.models import Notification


def send(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
) -> int:
    """Put a notice in the recipient's inbox; returns 1 if sent, 0 if already sent."""
    if (
        dedupe_key
        and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists()
    ):
        return 0
    try:
        with transaction.atomic():
            Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=str(title)[:200],
                body=str(body),
                url=url,
                dedupe_key=dedupe_key or "",
            )
    except IntegrityError:
        # A concurrent run sent the same notice first.
        return 0
    return 1


def mark_read(*, actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all unread ones when no ids are given)."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        count = unread.update(read_at=timezone.now())
        if count:
            record(
                actor=actor,
                code=Code.NOTIFICATION_READ,
                obj=actor,
                object_repr=actor.get_username(),
                changes={"count": count, "ids": notification_ids or "all"},
            )
    return count
