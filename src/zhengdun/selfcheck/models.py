"""Self-inspection (自查自省) and the rectification ledger (整改台账).

A versioned catalogue of problems in dimensions; rounds opened by the campaign office over a
subtree for units and/or officers; one report per unit or person with an answer per item
(found or not, what, why); for each finding one or more rectification measures with an owner
and a deadline, carried to completion with evidence and verified by someone else.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.core.warnings import Colour
from zhengdun.org.models import PATH_STEP


class AppliesTo(models.TextChoices):
    BOTH = "both", _("Units and persons")
    UNIT = "unit", _("Units")
    PERSON = "person", _("Persons")


class Catalogue(models.Model):
    """One version of the problem catalogue. A round keeps the version it was opened with."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    note = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("problem catalogue")
        verbose_name_plural = _("problem catalogues")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="catalogue_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Dimension(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["catalogue", "order"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="dimension_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("problem"), max_length=120)
    guidance = models.TextField(_("what to look for"), blank=True)
    applies_to = models.CharField(
        _("applies to"), max_length=6, choices=AppliesTo.choices, default=AppliesTo.BOTH
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["dimension__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Round(models.Model):
    name = models.CharField(_("name"), max_length=120)
    catalogue = models.ForeignKey(
        Catalogue, verbose_name=_("catalogue"), on_delete=models.PROTECT, related_name="rounds"
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("units taking part (this unit and below)"),
        on_delete=models.PROTECT,
        related_name="selfcheck_rounds",
    )
    for_units = models.BooleanField(_("units report"), default=True)
    for_persons = models.BooleanField(_("officers report"), default=True)
    leaders_first = models.BooleanField(
        _("a unit reports only after its leaders' personal reports"), default=True
    )
    opened_on = models.DateField(_("opened on"))
    due_date = models.DateField(_("reports due"))
    # Measures are warned about with the same rule as tasks (core.warnings).
    red_behind = models.PositiveSmallIntegerField(default=30)
    yellow_behind = models.PositiveSmallIntegerField(default=10)
    yellow_days = models.PositiveSmallIntegerField(default=7)
    yellow_progress = models.PositiveSmallIntegerField(default=80)
    escalate_days = models.PositiveSmallIntegerField(default=7)
    status = models.CharField(
        _("status"), max_length=6, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("self-inspection round")
        verbose_name_plural = _("self-inspection rounds")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.name


class ReportKind(models.TextChoices):
    UNIT = "unit", _("Unit report")
    PERSON = "person", _("Personal report")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")


class Report(models.Model):
    """A unit's or a person's self-inspection in a round: an answer per catalogue item."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=6, choices=ReportKind.choices)
    # The unit reporting, or the unit the person served in when the round opened.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="selfcheck_reports",
    )
    unit_path = models.CharField(max_length=48, editable=False)
    branch = models.CharField(max_length=2 * PATH_STEP, editable=False)
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selfcheck_reports",
    )
    is_leader = models.BooleanField(_("leader's report"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_comment = models.TextField(_("comments on return"), blank=True)
    findings = models.PositiveSmallIntegerField(_("problems found"), default=0)
    # For the near-duplicate detector: a hash of the report's text, its MinHash signature
    # (64 32-bit minima, 256 bytes; empty for a text too short to compare) and its bands.
    text_hash = models.CharField(max_length=32, blank=True, editable=False)
    minhash = models.BinaryField(default=b"", blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("self-inspection report")
        verbose_name_plural = _("self-inspection reports")
        ordering = ["unit_path", "kind", "id"]
        indexes = [
            models.Index(fields=["round", "branch", "kind", "state"], name="report_branch"),
            models.Index(fields=["round", "unit_path"], name="report_unit_path"),
            models.Index(fields=["person", "round"], name="report_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"],
                condition=models.Q(kind="unit"),
                name="one_unit_report_per_round",
            ),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(kind="person"),
                name="one_person_report_per_round",
            ),
        ]

    def __str__(self) -> str:
        who = self.person.name if self.person_id else self.unit.name
        return f"{self.round} · {who}"

    @property
    def is_locked(self) -> bool:
        return self.state == ReportState.SUBMITTED


class Answer(models.Model):
    """A report's answer on one catalogue item: found or not, what, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    found = models.BooleanField(_("problem found"), default=False)
    description = models.TextField(_("what was found"), blank=True)
    cause = models.TextField(_("cause analysis"), blank=True)
    meeting = models.ForeignKey(
        "Meeting",
        verbose_name=_("raised at meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["report", "item__dimension__order", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.item.code}: {'found' if self.found else 'none'}"


class MeasureState(models.TextChoices):
    OPEN = "open", pgettext_lazy("measure state", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified")


OPEN_MEASURE_STATES = (MeasureState.OPEN, MeasureState.IN_PROGRESS)


class Bucket(models.TextChoices):
    """Where a measure stands on the heat map: derived from its state and its deadline."""

    RECTIFYING = "rectifying", _("Being rectified")
    OVERDUE = "overdue", _("Overdue")
    COMPLETED = "completed", _("Completed, to verify")
    VERIFIED = "verified", _("Verified")


class Measure(models.Model):
    """A rectification measure (拉出措施及时限): one line of the ledger."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="measures")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="measures")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="measures")
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="selfcheck_measures",
    )
    unit_path = models.CharField(max_length=48, editable=False)
    branch = models.CharField(max_length=2 * PATH_STEP, editable=False)
    text = models.TextField(_("measure"))
    owner = models.ForeignKey(
        "org.Person",
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selfcheck_measures",
    )
    start_date = models.DateField(_("from"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=MeasureState.choices, default=MeasureState.OPEN
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completion_note = models.TextField(_("what was done"), blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    # Kept up to date by every write and by the daily tick, for filters and the heat map.
    colour = models.CharField(
        _("warning"), max_length=6, choices=Colour.choices, default=Colour.GREEN
    )
    colour_since = models.DateField(null=True, blank=True, editable=False)
    alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    bucket = models.CharField(
        max_length=10, choices=Bucket.choices, default=Bucket.RECTIFYING, editable=False
    )
    # In the ledger once its report is submitted (a draft's measures are not commitments yet).
    live = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")
        ordering = ["deadline", "id"]
        indexes = [
            # The ledger of a subtree: only live measures, so that its COUNT reads the index
            # alone instead of every row of the subtree (to check ``live``). The ledger sorts by
            # (deadline, id): indexes that serve it in order end in id, which PostgreSQL needs to
            # avoid sorting the measures sharing a deadline (SQLite keeps the rowid anyway).
            models.Index(
                fields=["round", "branch", "deadline", "id"],
                condition=models.Q(live=True),
                name="measure_branch_due",
            ),
            models.Index(
                fields=["round", "unit_path", "deadline"],
                condition=models.Q(live=True),
                name="measure_unit_due",
            ),
            # The whole round's ledger (the office's first view), read in deadline order.
            models.Index(
                fields=["round", "deadline", "id"],
                condition=models.Q(live=True),
                name="measure_live_due",
            ),
            models.Index(fields=["round", "bucket", "deadline", "id"], name="measure_bucket_due"),
            models.Index(fields=["round", "colour", "deadline", "id"], name="measure_colour_due"),
            models.Index(fields=["owner", "state"], name="measure_owner"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_MEASURE_STATES


class MeasureEvidence(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="selfcheck/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


class LedgerTally(models.Model):
    """Counts for the heat map and roll-ups, per round, unit subtree (each row counts at its
    unit and every ancestor), item and kind ("finding", a bucket, or a colour of open
    measures). Kept in the same transaction as every write; the tick recounts."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "item", "kind"], name="ledger_tally_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.item_id}/{self.kind}: {self.count}"


class MeetingKind(models.TextChoices):
    DEPLOYMENT = "deployment", _("Deployment meeting (部署推进会)")
    STUDY = "study", _("Thematic study session (专题学习会)")
    DEMOCRATIC_LIFE = "democratic_life", _("Democratic life meeting (民主生活会)")
    FORUM = "forum", _("Discussion forum (座谈交流会)")


class Meeting(models.Model):
    """A meeting where problems were examined; what it raised can become findings."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="selfcheck_meetings",
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("round"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    attendees = models.ManyToManyField(
        "org.Person", verbose_name=_("attendees"), related_name="+", blank=True
    )
    minutes = models.TextField(_("minutes"), blank=True)
    criticism = models.TextField(_("criticism and self-criticism"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Opinion(models.Model):
    """A member's comment on their unit's report (主动征求意见), optionally anonymous."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    anonymous = models.BooleanField(_("anonymous within the unit"), default=False)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class SignalKind(models.TextChoices):
    NOTHING_FOUND = "nothing_found", _("Nothing found on any item")
    COPIED_TEXT = "copied_text", _("Text copied from another report")
    NO_DEADLINE = "no_deadline", _("Measure without a deadline")
    LATE_DEADLINE = "late_deadline", _("Deadline beyond the round")
    NO_EVIDENCE = "no_evidence", _("Closed without evidence")
    LEADER_LOW = "leader_low", _("Leader reports fewer findings than the unit average")
    # Added by the learning app's detector (formalism.register_detector): two officers' three
    # talks (三谈) nearly the same; the talks' ids are in the signal's detail.
    COPIED_TALK = "copied_talk", _("Talks copied from another officer's")


class Signal(models.Model):
    """A formalism signal (走形式, 护短, 遮丑), found by the daily detectors."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(_("signal"), max_length=16, choices=SignalKind.choices)
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="signals"
    )
    other_report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="signals"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=48)
    score = models.FloatField(_("score"), default=0)
    detail = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField(_("found"), default=timezone.now)

    class Meta:
        verbose_name = _("formalism signal")
        verbose_name_plural = _("formalism signals")
        ordering = ["kind", "-score", "id"]
        indexes = [models.Index(fields=["round", "kind", "unit_path"], name="signal_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit_id}"


class ReportBand(models.Model):
    """One MinHash band of a report's text, for finding near-duplicates by an indexed join."""

    # No index of its own on round: band_lookup starts with it, and every index costs the
    # first run of a round a write per band row (1.26 million for 100,000 reports).
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_index=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="bands")
    band = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["round", "band", "value"], name="band_lookup")]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.band}"
