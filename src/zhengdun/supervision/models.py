"""Supervision (突出全面“督”): groups of retired cadres and headquarters officers, the units
assigned to them, visits on site against the monthly minimum of days, reproducible random
draws, 10-aspect scorecards, the 六抓 checklist and follow-up orders (督办单)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.core.warnings import Colour


class Group(models.Model):
    """A supervision group (督导组) working for one campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="supervision_groups",
    )
    name = models.CharField(_("name"), max_length=60)
    # Days on site each month the group must reach (每月不少于 15 天).
    min_days = models.PositiveSmallIntegerField(_("minimum days on site a month"), default=15)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("supervision group")
        verbose_name_plural = _("supervision groups")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="group_name_in_campaign")
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "org.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    is_leader = models.BooleanField(_("group leader"), default=False)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="member_once_per_group")
        ]

    def __str__(self) -> str:
        return str(self.person)


class Assignment(models.Model):
    """A unit (and its subtree) in a group's care from ``starts_on`` to ``ends_on`` (open:
    until further notice)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["unit", "starts_on"], name="assignment_unit")]

    def __str__(self) -> str:
        return f"{self.group} · {self.unit}"

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class VisitMode(models.TextChoices):
    """The "1+3" modes."""

    POLITICAL = "political", _("Political inspection (政治巡察)")
    AFFAIRS = "affairs", _("Government-affairs follow-up (政务督办)")
    WORK = "work", _("Work supervision (工作督导)")
    DUTY = "duty", _("Duty inspection (勤务督察)")


class VisitKind(models.TextChoices):
    RESIDENT = "resident", _("Resident inspection (入驻巡察)")
    RANDOM = "random", _("Random check (随机督查)")


class Visit(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="visits"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    mode = models.CharField(_("mode"), max_length=10, choices=VisitMode.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    # A planned visit (from the month planner) counts no days until it is confirmed as held.
    planned = models.BooleanField(_("planned, not yet held"), default=False)
    present = models.ManyToManyField(
        "org.Person", verbose_name=_("members present"), related_name="+", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    draw = models.ForeignKey(
        "Draw",
        verbose_name=_("draw"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["group", "start_date"], name="visit_group_start"),
            models.Index(fields=["unit_path", "start_date"], name="visit_unit_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="visit_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.start_date:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class StoredFile(models.Model):
    """A checked upload (``core.uploads``) kept under the data dir."""

    file = models.FileField(upload_to="supervision/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class VisitFile(StoredFile):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class DrawKind(models.TextChoices):
    UNITS = "units", _("Units")
    PERSONS = "persons", _("Officers within a unit")


class Draw(models.Model):
    """A random spot-check draw. The seed is fixed and recorded first (``sealed``); the draw
    then lists the candidates and picks from them with that seed, so anyone may re-run it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="supervision_draws"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT
    )
    kind = models.CharField(_("draw"), max_length=10, choices=DrawKind.choices)
    # Units: the subtree drawn from (its children and their subtrees' units of the same
    # depth); persons: the unit whose officers are drawn.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    count = models.PositiveSmallIntegerField(_("how many"))
    seed = models.CharField(_("seed"), max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now, editable=False)
    # [[id, label], ...] in the fixed order the draw samples from.
    candidates = models.JSONField(default=list, editable=False)
    # Whether every candidate was drawn this month already, so repeats were allowed.
    exhausted = models.BooleanField(default=False, editable=False)
    result = models.JSONField(default=list, editable=False)
    drawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        ordering = ["-sealed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None


class ScoreTemplate(models.Model):
    """A versioned scorecard of weighted aspects (量化到 10 个方面)."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="score_template_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Aspect(models.Model):
    template = models.ForeignKey(ScoreTemplate, on_delete=models.CASCADE, related_name="aspects")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("aspect"), max_length=60)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_points = models.PositiveSmallIntegerField(_("maximum points"))

    class Meta:
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        ordering = ["template_id", "order"]

    def __str__(self) -> str:
        return self.name


class Scorecard(models.Model):
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="scorecard")
    template = models.ForeignKey(ScoreTemplate, on_delete=models.PROTECT, related_name="+")
    # Weighted score out of 100: sum(weight × points / maximum) / sum(weight) × 100.
    total = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    remarks = models.TextField(_("remarks"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(default=timezone.now)
    # Denormalised from the visit for rankings over time.
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    visited_on = models.DateField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        indexes = [models.Index(fields=["unit_path", "visited_on"], name="scorecard_unit")]

    def __str__(self) -> str:
        return f"{self.visit} · {self.total}"


class ScoreLine(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        ordering = ["aspect__order"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "aspect"], name="score_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.aspect} {self.points}"


class Duty(models.TextChoices):
    """六抓: the six things each group does every month."""

    EDUCATION = "education", _("Education guidance (抓好教育引领)")
    CLUES = "clues", _("Clue verification (抓好线索核查)")
    ASSESSMENT = "assessment", _("Progress assessment (抓好推进考核)")
    POLICY = "policy", _("Policy implementation (抓好政策兑现)")
    FOLLOW_UP = "follow_up", _("Supervision and follow-up (抓好督查督办)")
    FEEDBACK = "feedback", _("Feedback of opinions (抓好意见反馈)")


class ChecklistEntry(StoredFile):
    """One of the six duties for a group and month: done, with a note and optional evidence."""

    file = models.FileField(upload_to="supervision/%Y/%m/", max_length=200, blank=True)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="checklist")
    month = models.DateField(_("month"))  # the first day of the month
    duty = models.CharField(_("duty"), max_length=12, choices=Duty.choices)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("六抓 entry")
        verbose_name_plural = _("六抓 entries")
        constraints = [
            models.UniqueConstraint(fields=["group", "month", "duty"], name="checklist_once")
        ]


class OrderSource(models.TextChoices):
    VISIT = "visit", _("Supervision visit")
    SELFCHECK = "selfcheck", _("Self-inspection")
    CLUE = "clue", _("Clue")
    PUBLIC = "public", _("Public feedback")


class OrderState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", pgettext_lazy("order state", "Verified and closed")
    RETURNED = "returned", _("Returned")


OPEN_ORDER_STATES = (
    OrderState.ISSUED,
    OrderState.ACKNOWLEDGED,
    OrderState.RETURNED,
    OrderState.RESPONDED,
)


class Order(models.Model):
    """A follow-up order (督办单) to a unit: problem, requirement, deadline, and its answer."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    number = models.CharField(_("number"), max_length=20, unique=True)
    group = models.ForeignKey(
        Group,
        verbose_name=_("issued by group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    # The unit's person who answers (the ladder's yellow notice goes to them).
    contact = models.ForeignKey(
        "org.Person",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    problem = models.TextField(_("problem"))
    requirement = models.TextField(_("requirement"))
    deadline = models.DateField(_("deadline"))
    source = models.CharField(_("source"), max_length=10, choices=OrderSource.choices)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=OrderState.choices, default=OrderState.ISSUED
    )
    issued_on = models.DateField(_("issued on"))
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    colour = models.CharField(max_length=8, choices=Colour.choices, default=Colour.GREEN)
    colour_since = models.DateField(null=True, blank=True)
    alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    # Where the order went on: a campaign task or a rectification measure (linked both ways).
    task = models.ForeignKey(
        "campaigns.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_orders",
    )
    measure = models.ForeignKey(
        "selfcheck.Measure",
        verbose_name=_("rectification measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_orders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follow-up order")
        verbose_name_plural = _("follow-up orders")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["unit_path", "state", "deadline"], name="order_unit_state"),
            models.Index(fields=["state", "colour"], name="order_state_colour"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state != OrderState.CLOSED


class OrderFile(StoredFile):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
