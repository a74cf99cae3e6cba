from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengdun.core.warnings import COLOUR_RANK, Colour  # noqa: F401  (re-exported)
from zhengdun.org.models import PATH_STEP


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Being planned")
    ACTIVE = "active", _("Under way")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # The unit whose subtree takes part (usually the city bureau).
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Three-colour warning thresholds (DESIGN.md defaults).
    red_behind = models.PositiveSmallIntegerField(
        _("red when behind by more than (points)"), default=30
    )
    yellow_behind = models.PositiveSmallIntegerField(
        _("yellow when behind by more than (points)"), default=10
    )
    yellow_days = models.PositiveSmallIntegerField(_("yellow when due within (days)"), default=7)
    yellow_progress = models.PositiveSmallIntegerField(_("…and progress under (%)"), default=80)
    escalate_days = models.PositiveSmallIntegerField(
        _("tell the office when red for (days)"), default=7
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=60)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order", "start_date"]

    def __str__(self) -> str:
        return self.name


class Workstream(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("workstream")
        verbose_name_plural = _("workstreams")
        ordering = ["campaign", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="workstream_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TaskState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (TaskState.PLANNED, TaskState.STARTED)


class Task(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    workstream = models.ForeignKey(
        Workstream, verbose_name=_("workstream"), on_delete=models.PROTECT, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    # The top of this task's decomposition tree (itself for a top-level task).
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+", editable=False
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="tasks"
    )
    # Copies of the unit's path and of its second-level ancestor (a county bureau or a
    # department), kept in step by org's move hook: a subtree filter is a range on one column,
    # and a county's tasks come out in due order from one index.
    unit_path = models.CharField(max_length=48, editable=False)
    branch = models.CharField(max_length=2 * PATH_STEP, editable=False)
    lead = models.ForeignKey(
        "org.Person",
        verbose_name=_("lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_tasks",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start"))
    due_date = models.DateField(_("due"))
    quantity_target = models.PositiveIntegerField(_("quantity target"), null=True, blank=True)
    measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    quantity_done = models.PositiveIntegerField(_("quantity done"), default=0)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=TaskState.choices, default=TaskState.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # The warning colour as of the last write or daily tick, for filters and counts (pages
    # compute the reason live), since when the task has had it, and which notices about this
    # colour the daily tick has already claimed (see core.escalation).
    colour = models.CharField(
        _("warning"), max_length=6, choices=Colour.choices, default=Colour.GREEN
    )
    colour_since = models.DateField(null=True, blank=True, editable=False)
    alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    override_reason = models.TextField(_("reason for completing with open subtasks"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "id"]
        # Lists sort by (due date, id): the indexes that serve them in order end in id, which
        # PostgreSQL needs to avoid sorting the thousands of tasks due on one day (SQLite keeps
        # the rowid at the end of every index anyway).
        indexes = [
            models.Index(
                fields=["campaign", "state", "due_date", "id"], name="task_campaign_state_due"
            ),
            models.Index(
                fields=["campaign", "branch", "state", "due_date", "id"], name="task_branch_due"
            ),
            # Pattern operators on unit_path: PostgreSQL answers a subtree's LIKE 'path%' from
            # this index under any collation (with the default ones it read the whole table).
            models.Index(
                fields=["campaign", "unit_path", "due_date"],
                opclasses=["int8_ops", "varchar_pattern_ops", "date_ops"],
                name="task_unit_path_due",
            ),
            models.Index(fields=["campaign", "colour", "due_date", "id"], name="task_colour_due"),
            # The default list (open tasks, soonest due first) of the whole campaign or of a
            # county: read in due order and stopped at the page. "state IN" on the indexes
            # above gives no due order across the two open states, so that list sorted every
            # open task in scope. The query spells the condition the same way (queries._OPEN).
            # unit_path rides along (PostgreSQL; SQLite ignores INCLUDE): a station's list,
            # walked in due order, then filters on the path inside the index, not in the table.
            models.Index(
                fields=["campaign", "due_date", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                include=["unit_path"],
                name="task_open_due",
            ),
            models.Index(
                fields=["campaign", "branch", "due_date", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="task_open_branch_due",
            ),
            # Open tasks of a subtree below a county (a division's 13,000 of a million): read
            # from the index alone and sorted, without a look-up per task for its state.
            models.Index(
                fields=["campaign", "unit_path", "due_date"],
                opclasses=["int8_ops", "varchar_pattern_ops", "date_ops"],
                condition=models.Q(state__in=OPEN_STATES),
                name="task_open_path_due",
            ),
            models.Index(fields=["lead", "state", "due_date"], name="task_lead_due"),
            models.Index(fields=["root"], name="task_root"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_late(self) -> bool:
        return self.completed_on is not None and self.completed_on > self.due_date

    @property
    def days_to_complete(self) -> int | None:
        if self.completed_on is None:
            return None
        return max((self.completed_on - self.start_date).days, 0)


class ProgressUpdate(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set by the action: now, or a past day for a report entered late (the demo's history).
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    quantity_done = models.PositiveIntegerField(_("quantity done"), null=True, blank=True)
    narrative = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.progress}%"


class Evidence(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


class TaskTally(models.Model):
    """Counts of a campaign's tasks in a unit's whole subtree, by workstream, state and colour.

    Kept in the same transaction as every task write (each task counts at its unit and every
    ancestor), so the overview reads a handful of rows whatever the number of tasks; the daily
    tick recounts and reports drift.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=TaskState.choices)
    colour = models.CharField(max_length=6, choices=Colour.choices)
    count = models.IntegerField(default=0)
    # For completed tasks: the sum of days from start to completion, and how many were late.
    days = models.IntegerField(default=0)
    late = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "workstream", "state", "colour"], name="tally_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.workstream_id}/{self.state}/{self.colour}: {self.count}"


class TaskDueTally(models.Model):
    """Counts of a campaign's tasks by due date and state in the subtree of a unit of the top
    two levels (the city bureau, a county bureau), kept like TaskTally: a due-range list of a
    whole city or county (tens of thousands of tasks) is counted from a few hundred rows."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    state = models.CharField(max_length=10, choices=TaskState.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "state", "due_date"], name="due_tally_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.state}/{self.due_date}: {self.count}"


class IncentiveSide(models.TextChoices):
    REWARD = "reward", _("Incentive")
    SANCTION = "sanction", _("Accountability")


class IncentiveLevel(models.Model):
    """Three levels on each side, named per campaign.

    For example 通报表扬 / 嘉奖 / 记功 and 提醒 / 约谈 / 问责.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="incentive_levels"
    )
    side = models.CharField(_("side"), max_length=10, choices=IncentiveSide.choices)
    rank = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        ordering = ["campaign", "side", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "side", "rank"], name="incentive_level_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Incentive(models.Model):
    level = models.ForeignKey(
        IncentiveLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="awards"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="incentives"
    )
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incentives",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incentives",
    )
    reason = models.TextField(_("reason"))
    awarded_on = models.DateField(_("date"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("incentive or accountability measure")
        verbose_name_plural = _("incentives and accountability measures")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.level} · {self.person or self.unit}"


class CampaignTemplate(models.Model):
    """A campaign saved for reuse (可复制可推广): its plan with dates relative to the start."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign template")
        verbose_name_plural = _("campaign templates")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
