"""What the portal reads: the landing page's content, and a report's thread (decrypted)."""

from django.db.models import Prefetch

from zhengdun.core.ids import parse_id
from zhengdun.integrity.portal.models import (
    Notice,
    PortalPage,
    PublicAttachment,
    PublicMessage,
    PublicReport,
)

NOTICES_SHOWN = 10


def portal_page() -> PortalPage:
    """The published page; an empty one until the office has saved it."""
    return PortalPage.objects.filter(pk=1).first() or PortalPage()


def published_notices(limit: int = NOTICES_SHOWN) -> list[Notice]:
    return list(Notice.objects.filter(published=True)[:limit])


def all_notices() -> list[Notice]:
    return list(Notice.objects.all())


def thread(report: PublicReport) -> list[PublicMessage]:
    """The report's messages in the order they were written, each with its attachments; the
    bodies are plain text (decrypted as they are read)."""
    return list(
        PublicMessage.objects.filter(report=report)
        .order_by("id")
        .prefetch_related(Prefetch("attachments", queryset=PublicAttachment.objects.order_by("id")))
    )


def report_attachments(report: PublicReport) -> list[PublicAttachment]:
    """The files sent with the report itself (not with a message)."""
    return list(PublicAttachment.objects.filter(report=report, message__isnull=True).order_by("id"))


def attachment_of(report: PublicReport, pk) -> PublicAttachment | None:
    pk = parse_id(pk)
    if pk is None:
        return None
    return PublicAttachment.objects.filter(report=report, pk=pk).first()
