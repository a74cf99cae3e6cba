from django.db.models import QuerySet

from zhengdun.notify.models import Notification


def inbox_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    notes = Notification.objects.filter(recipient=user)
    if unread_only:
        notes = notes.filter(read_at__isnull=True)
    return notes.order_by("-created_at", "-id")


def unread_count(user) -> int:
    """From the user's counter (loaded with the signed-in user; a query otherwise)."""
    inbox = getattr(user, "inbox", None)
    return max(inbox.unread, 0) if inbox is not None else 0
