from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.notify.models import Inbox, Notification


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
            _count_unread(recipient.pk, 1)
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
            _count_unread(actor.pk, -count)
            record(
                actor=actor,
                code=Code.NOTIFICATION_READ,
                obj=actor,
                object_repr=actor.get_username(),
                changes={"count": count, "ids": notification_ids or "all"},
            )
    return count


def _count_unread(user_id: int, change: int) -> None:
    """Move the user's unread counter with the notices just written (same transaction). A
    missing counter starts from a real count, which already includes them."""
    if Inbox.objects.filter(user_id=user_id).update(unread=F("unread") + change):
        return
    try:
        with transaction.atomic():
            Inbox.objects.create(user_id=user_id, unread=unread_of(user_id))
    except IntegrityError:
        # Another transaction created it meanwhile.
        Inbox.objects.filter(user_id=user_id).update(unread=F("unread") + change)


def unread_of(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def recount_unread() -> int:
    """Set every counter to the real count; returns how many had drifted (the tick reports it)."""
    drifted = 0
    actual = dict(
        Notification.objects.filter(read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    for inbox in Inbox.objects.all().iterator(chunk_size=2000):
        real = actual.pop(inbox.user_id, 0)
        if inbox.unread != real:
            drifted += Inbox.objects.filter(pk=inbox.pk, unread=inbox.unread).update(unread=real)
    for user_id, real in actual.items():
        drifted += 1
        Inbox.objects.get_or_create(user_id=user_id, defaults={"unread": real})
    return drifted
