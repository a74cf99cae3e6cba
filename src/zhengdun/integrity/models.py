"""Clues (问题线索) from every channel, their verification and dispositions, and the case files
opened from them. Need-to-know: see ``permissions``.

What a clue says is encrypted at rest (``crypto.EncryptedTextField``): its summary, the free
text about its subjects, every entry and the conclusion. A named reporter's identity is held
apart from the clue (``ReporterIdentity``) and shown to a handler only once the discipline head
has approved it (``IdentityReveal``). Reads are audited (``integrity.*`` codes, kept out of the
general audit pages and shown on the clue's own access log).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengdun.core.warnings import Colour
from zhengdun.integrity.categories import Category
from zhengdun.integrity.crypto import EncryptedTextField


class Source(models.TextChoices):
    PORTAL = "portal", _("Public reporting portal")
    HOTLINE = "hotline", _("Reporting telephone")
    LETTER = "letter", _("Mailbox or letter")
    VISIT = "visit", _("Visit in person")
    SUPERVISION = "supervision", _("Supervision visit")
    SELFCHECK = "selfcheck", _("Self-inspection")
    AUDIT = "audit", _("Audit")
    TRANSFER = "transfer", _("Transfer from another authority")


# Channels with a reporter outside the system, who is owed an acknowledgement.
REPORTER_SOURCES = (Source.PORTAL, Source.HOTLINE, Source.LETTER, Source.VISIT)


class ClueState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TRIAGED = "triaged", _("Triaged")
    VERIFYING = "verifying", _("Being verified")
    CONCLUDED = "concluded", _("Concluded")
    ARCHIVED = "archived", _("Archived")


OPEN_STATES = (ClueState.REGISTERED, ClueState.TRIAGED, ClueState.VERIFYING)


class HandlingMode(models.TextChoices):
    """The four ways of handling a clue (线索处置方式)."""

    INQUIRY = "inquiry", _("Talk or written inquiry (谈话函询)")
    VERIFY = "verify", _("Preliminary verification (初步核实)")
    HOLD = "hold", _("Held for later (暂存待查)")
    CLOSE = "close", _("Closed (予以了结)")


class Disposition(models.TextChoices):
    """How a clue ends: unfounded, or one of the four forms (四种形态)."""

    UNFOUNDED = "unfounded", _("Unfounded, closed (了结)")
    TALK_REMINDER = "talk_reminder", _("Form 1: talk reminder (谈话提醒)")
    CRITICISM = "criticism", _("Form 1: criticism and education (批评教育)")
    SELF_EXAMINATION = "self_examination", _("Form 1: written self-examination (责令检查)")
    ADMONISHMENT = "admonishment", _("Form 1: admonishment (诫勉)")
    LIGHT_SANCTION = "light_sanction", _("Form 2: light disciplinary sanction (轻处分)")
    ORG_ADJUSTMENT = "org_adjustment", _("Form 2: organisational adjustment (组织调整)")
    HEAVY_SANCTION = "heavy_sanction", _("Form 3: heavy disciplinary sanction (重处分)")
    POSITION_CHANGE = "position_change", _("Form 3: major change of position (重大职务调整)")
    CASE_TRANSFER = (
        "case_transfer",
        _("Form 4: case opened, transferred to the judicial authorities (立案审查、移送司法)"),
    )


# Disposition -> form (0: unfounded).
FORM_OF = {
    Disposition.UNFOUNDED: 0,
    Disposition.TALK_REMINDER: 1,
    Disposition.CRITICISM: 1,
    Disposition.SELF_EXAMINATION: 1,
    Disposition.ADMONISHMENT: 1,
    Disposition.LIGHT_SANCTION: 2,
    Disposition.ORG_ADJUSTMENT: 2,
    Disposition.HEAVY_SANCTION: 3,
    Disposition.POSITION_CHANGE: 3,
    Disposition.CASE_TRANSFER: 4,
}


class Clue(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    received_on = models.DateField(_("received on"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = EncryptedTextField(_("summary"))
    # Who the clue is about in words, when they cannot be (or are not yet) linked.
    subjects_text = EncryptedTextField(_("subjects (free text)"))
    subject_persons = models.ManyToManyField(
        "org.Person", verbose_name=_("subject persons"), related_name="+", blank=True
    )
    subject_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("subject units"), related_name="+", blank=True
    )
    # The unit the clue is counted under in statistics: the first subject unit, or the first
    # subject person's unit (None: not known).
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_path = models.CharField(max_length=255, blank=True, editable=False)
    portal_report = models.OneToOneField(
        "portal.PublicReport",
        verbose_name=_("public report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clue",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ClueState.choices, default=ClueState.REGISTERED
    )
    mode = models.CharField(
        _("handling mode"), max_length=10, choices=HandlingMode.choices, blank=True
    )
    triaged_on = models.DateField(_("triaged on"), null=True, blank=True)
    # The conclusion clock: received + the configured days, or earlier when triage sets it.
    due_on = models.DateField(_("conclusion due"))
    # Acknowledgement to the reporter (None: nobody to acknowledge).
    ack_due = models.DateField(_("acknowledgement due"), null=True, blank=True)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    # Contact with a named reporter (None: anonymous or internal).
    contact_due = models.DateField(_("contact due"), null=True, blank=True)
    contacted_on = models.DateField(_("reporter contacted on"), null=True, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, blank=True
    )
    conclusion = EncryptedTextField(_("conclusion"))
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    colour = models.CharField(max_length=8, choices=Colour.choices, default=Colour.GREEN)
    colour_since = models.DateField(null=True, blank=True)
    # The clock behind the colour ("ack", "contact", "conclusion") and its days, for words.
    warning = models.JSONField(default=dict, blank=True, editable=False)
    alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A portal report's clue is audited (and announced) by the next daily tick, not at the
    # moment of submission: times must say nothing about an anonymous reporter.
    logged = models.BooleanField(default=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("clue")
        verbose_name_plural = _("clues")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="clue_number_in_year")
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="clue_state_due"),
            models.Index(fields=["received_on", "id"], name="clue_received"),
            models.Index(fields=["state", "colour"], name="clue_state_colour"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def form(self) -> int | None:
        return FORM_OF.get(self.disposition) if self.disposition else None


class HandlerRole(models.TextChoices):
    LEAD = "lead", _("Lead handler")
    MEMBER = "member", _("Handler")


class ClueHandler(models.Model):
    """A user assigned to a clue. Removing one keeps the row (``active`` off) for the record."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=HandlerRole.choices)
    active = models.BooleanField(default=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clue handler")
        verbose_name_plural = _("clue handlers")
        constraints = [models.UniqueConstraint(fields=["clue", "user"], name="clue_handler_once")]
        indexes = [models.Index(fields=["user", "active"], name="clue_handler_user")]

    def __str__(self) -> str:
        return f"{self.clue} · {self.user}"


class ReporterIdentity(models.Model):
    """A named reporter, held apart from the clue and encrypted. ``person_key`` is a keyed hash
    of the reporter's Person (when they are an officer), so that a reporter can be refused as a
    handler without the database naming them."""

    clue = models.OneToOneField(Clue, on_delete=models.CASCADE, related_name="reporter")
    name = EncryptedTextField(_("name"))
    contact = EncryptedTextField(_("contact details"))
    person_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reporter's identity")
        verbose_name_plural = _("reporters' identities")

    def __str__(self) -> str:
        return f"{self.clue} · reporter"


class RevealState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class IdentityReveal(models.Model):
    """A handler's request to learn the reporter's identity and the discipline head's recorded
    decision. Only an approved row shows the identity, to that user only."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("for"), on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=RevealState.choices, default=RevealState.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identity reveal")
        verbose_name_plural = _("identity reveals")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.clue} · {self.user}"


class EntryKind(models.TextChoices):
    NOTE = "note", _("Verification note")
    INTERVIEW = "interview", _("Interview")
    EVIDENCE = "evidence", _("Evidence")
    CONTACT = "contact", _("Contact with the reporter")
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement to the reporter")
    MESSAGE = "message", _("Message to the reporter")


class ClueEntry(models.Model):
    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    text = EncryptedTextField(_("text"))
    occurred_on = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("clue entry")
        verbose_name_plural = _("clue entries")
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.clue} · {self.get_kind_display()}"


class EntryFile(models.Model):
    """An evidence file checked by ``core.uploads`` and kept encrypted under the data dir."""

    entry = models.ForeignKey(ClueEntry, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="integrity/%Y/", max_length=200)
    name = EncryptedTextField(_("file name"))
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return f"file #{self.pk}"


class CaseState(models.TextChoices):
    OPEN = "open", _("Under investigation")
    TRANSFERRED = "transferred", _("Transferred to the judicial authorities")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """A case file (案件) opened from a clue. It keeps its own handlers: a clue handler does not
    see the case unless assigned to it."""

    clue = models.OneToOneField(Clue, on_delete=models.PROTECT, related_name="case")
    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    opened_on = models.DateField(_("opened on"))
    state = models.CharField(
        _("state"), max_length=12, choices=CaseState.choices, default=CaseState.OPEN
    )
    summary = EncryptedTextField(_("summary"))
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case handlers"),
        through="CaseHandler",
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="case_number_in_year")
        ]

    def __str__(self) -> str:
        return self.number


class CaseHandler(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_handlers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=HandlerRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_handler_once")]

    def __str__(self) -> str:
        return f"{self.case} · {self.user}"
