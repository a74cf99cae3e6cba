"""The public reporting portal's data.

A report's content, its messages and its attachments' names are ``EncryptedTextField``s and its
files are encrypted on disk (``integrity.crypto``): a database dump alone reveals none of them.
Nothing about the sender is kept: no address, no browser, and only dates (never times) for
anything the reporter does. The receipt code is not stored: only an HMAC lookup key (peppered
with the secret key) and an Argon2 hash to verify it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengdun.integrity.categories import Category
from zhengdun.integrity.crypto import EncryptedTextField


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("Being handled")
    CONCLUDED = "concluded", _("Concluded")


class PublicReport(models.Model):
    """A report from the public portal (or a kiosk through the public API). Its content is
    encrypted at rest; for an anonymous report nothing about the sender is kept and its times
    are rounded to the day."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    received_on = models.DateField(_("received"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    what = EncryptedTextField(_("what happened"))
    where_when = EncryptedTextField(_("where and when"))
    who = EncryptedTextField(_("who (person or unit)"))
    contact = EncryptedTextField(_("contact details"))
    # HMAC-SHA256 of the receipt code under a pepper derived from the secret key: finds the
    # report in one indexed lookup. The Argon2 hash then verifies the code.
    receipt_key = models.CharField(max_length=64, unique=True)
    receipt_hash = models.CharField(max_length=200)
    # A peppered hash of the sending form's one-time nonce: the same form sent twice (a reload
    # of the receipt page) makes one report, not two. NULL (not "") when there is none, so
    # that the unique constraint leaves keyless reports (the API's) alone.
    submission_key = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    # Written to the audit chain by the next daily tick, not at arrival: an event's exact time
    # would undo the rounding of the report's time to the day.
    logged = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")

    def __str__(self) -> str:
        return f"{self.received_on} #{self.pk}"


class Sender(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    HANDLER = "handler", _("Handler")


class PublicMessage(models.Model):
    """One message of the thread between the reporter and the handler. Dated, never timed."""

    report = models.ForeignKey(
        PublicReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(_("from"), max_length=10, choices=Sender.choices)
    # The handler who wrote it (never shown to the reporter); empty for the reporter.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    body = EncryptedTextField(_("message"))
    sent_on = models.DateField(_("date"))
    logged = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("portal message")
        verbose_name_plural = _("portal messages")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.sender} {self.sent_on}"


class PublicAttachment(models.Model):
    """A file sent with a report or a message: metadata stripped, encrypted under
    ``DATA_DIR/portal/`` with a random name. Its original name is encrypted too."""

    report = models.ForeignKey(
        PublicReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        PublicMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("portal attachment")
        verbose_name_plural = _("portal attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.stored_name


class PortalPage(models.Model):
    """What the landing page publishes (公布举报电话信箱): one row, edited by the office."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    intro = models.TextField(_("introduction"), blank=True)
    phones = models.TextField(
        _("reporting telephone numbers"), blank=True, help_text=_("One number a line.")
    )
    mailbox = models.CharField(_("mailbox (e-mail)"), max_length=200, blank=True)
    postal_address = models.TextField(_("postal address for letters"), blank=True)
    office_hours = models.TextField(_("office hours"), blank=True)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal page")
        verbose_name_plural = _("portal page")

    def __str__(self) -> str:
        return str(_("Portal page"))

    @property
    def phone_list(self) -> list[str]:
        return [line.strip() for line in self.phones.splitlines() if line.strip()]


class Notice(models.Model):
    """A short campaign notice on the landing page."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    published = models.BooleanField(_("published"), default=True)
    published_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class RateCounter(models.Model):
    """A count of events (submissions, failed receipt look-ups) in one fixed time window, for a
    sliding-window estimate over the current and the previous window. Old windows are purged;
    nothing here says who caused an event."""

    scope = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "window_start"], name="portal_rate_window")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start}: {self.count}"
