"""Drills (实战大练兵) and contests.

Drills: a plan over a unit subtree with subjects, each with its standard (measure, direction,
pass and excellent thresholds), one result per person and subject, and skills competitions
(比武竞赛) whose entries are placed and earn points for their units.

Contests: a knowledge contest (知识竞赛) run live from the exams bank, and essay (征文) and
speech (演讲) contests scored by a panel of judges on a weighted rubric, ranked and awarded.

Rows that are scoped carry their unit's materialized path (``unit_path``) so that "in the
viewer's subtree" is one prefix condition (see ``org.scope``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.org.models import PATH_MAX_DEPTH, PATH_STEP

PATH_LENGTH = PATH_STEP * PATH_MAX_DEPTH


# Drills ------------------------------------------------------------------------------------


class Category(models.TextChoices):
    FITNESS = "fitness", _("Physical fitness")
    FIREARMS = "firearms", _("Firearms")
    LAW = "law", _("Legal knowledge")
    PROCEDURE = "procedure", _("Case-handling procedure")
    FIRST_AID = "first_aid", _("First aid")
    OTHER = "other", pgettext_lazy("drill subject", "Other")


class Measure(models.TextChoices):
    SECONDS = "seconds", _("Time (seconds)")
    SCORE = "score", _("Score")
    COUNT = "count", _("Count")
    PASS_FAIL = "pass_fail", _("Pass / fail")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class DrillPlan(models.Model):
    """A training plan over the subtree of ``unit``, for a campaign or a period."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drill_plans",
    )
    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="drill_plans"
    )
    unit_path = models.CharField(max_length=PATH_LENGTH, db_index=True, editable=False)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("drill plan")
        verbose_name_plural = _("drill plans")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """A subject of a plan and its standard. Exactly at a threshold counts as reaching it."""

    plan = models.ForeignKey(DrillPlan, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    excellent_mark = models.DecimalField(
        _("excellent mark"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("drill subject")
        verbose_name_plural = _("drill subjects")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="drill_subject_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Result(models.Model):
    """One person's result in one subject; ``passed``/``excellent`` are computed from the
    subject's standard when recorded (and again if the standard changes)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="results")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="drill_results")
    # The person's unit when tested: rates are counted where the person served then.
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=PATH_LENGTH, editable=False)
    value = models.DecimalField(_("result"), max_digits=9, decimal_places=2, null=True)
    passed = models.BooleanField(_("passed"))
    excellent = models.BooleanField(_("excellent"), default=False)
    tested_on = models.DateField(_("tested on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("drill result")
        verbose_name_plural = _("drill results")
        ordering = ["subject", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "person"], name="drill_result_unique"),
        ]
        indexes = [models.Index(fields=["subject", "unit_path"])]

    def __str__(self) -> str:
        return f"{self.subject} · {self.person}"


class EntryKind(models.TextChoices):
    PERSON = "person", _("Individual")
    TEAM = "team", _("Team")


class Competition(models.Model):
    """A skills competition (比武竞赛) inside a plan. Entries are placed by their result; each
    place earns the points of ``points`` (a list, first place first)."""

    plan = models.ForeignKey(DrillPlan, on_delete=models.CASCADE, related_name="competitions")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("entries"), max_length=10, choices=EntryKind.choices, default=EntryKind.PERSON
    )
    measure = models.CharField(
        _("measure"), max_length=10, choices=Measure.choices, default=Measure.SCORE
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    held_on = models.DateField(_("held on"))
    points = models.JSONField(_("points for places"), default=list)

    class Meta:
        verbose_name = _("skills competition")
        verbose_name_plural = _("skills competitions")
        ordering = ["plan", "held_on", "id"]

    def __str__(self) -> str:
        return self.name


class CompetitionEntry(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=PATH_LENGTH, editable=False)
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("entry"), max_length=100)
    value = models.DecimalField(_("result"), max_digits=9, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("competition entry")
        verbose_name_plural = _("competition entries")
        ordering = ["competition", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "name"], name="competition_entry_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Contests ----------------------------------------------------------------------------------


class ContestKind(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Knowledge contest")
    ESSAY = "essay", _("Essay contest")
    SPEECH = "speech", _("Speech contest")


class ContestState(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    RUNNING = "running", _("Under way")
    CLOSED = "closed", _("Closed")


class AwardMode(models.TextChoices):
    RANK = "rank", _("By rank")
    THRESHOLD = "threshold", _("By score thresholds")


class Tier(models.TextChoices):
    FIRST = "first", _("First prize")
    SECOND = "second", _("Second prize")
    THIRD = "third", _("Third prize")
    MERIT = "merit", _("Merit award")


TIERS = [Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.MERIT]


class Contest(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ContestKind.choices)
    name = models.CharField(_("name"), max_length=120)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contests",
    )
    # The organising unit: the contest is open to its subtree.
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="contests"
    )
    unit_path = models.CharField(max_length=PATH_LENGTH, db_index=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=ContestState.choices, default=ContestState.DRAFT
    )
    held_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    # Knowledge contest: points for a correct answer and the penalty for a wrong one.
    points_correct = models.DecimalField(
        _("points per correct answer"), max_digits=6, decimal_places=2, default=Decimal(10)
    )
    penalty_wrong = models.DecimalField(
        _("penalty for a wrong answer"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    # Awards: how many entries get each prize (by rank) or the lowest score for it.
    award_mode = models.CharField(
        _("awards"), max_length=10, choices=AwardMode.choices, default=AwardMode.RANK
    )
    award_rule = models.JSONField(_("award rule"), default=dict, blank=True)
    # The campaign incentive level each prize feeds (三级激励); none: the prize only.
    award_levels = models.JSONField(_("incentive levels"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_judged(self) -> bool:
        return self.kind != ContestKind.KNOWLEDGE


class Criterion(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=60)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("maximum"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["contest", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="contest_criterion_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Judge(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="judges")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contest", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "person"], name="contest_judge_unique"),
        ]

    def __str__(self) -> str:
        return self.person.name


class Entry(models.Model):
    """An essay or speech (with its author), or a team of a knowledge contest."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(_("title"), max_length=150)
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=PATH_LENGTH, editable=False)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["contest", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "title"], name="contest_entry_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "judge", "criterion"], name="contest_score_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.judge} · {self.criterion}: {self.value}"


class Refusal(models.Model):
    """A judge's attempt to score their own or their own unit's entry, refused and kept."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="refusals")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="refusals")
    reason = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="contests_refusal_once")
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.entry}: {self.reason}"


class Award(models.Model):
    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="award")
    tier = models.CharField(_("prize"), max_length=10, choices=Tier.choices)
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=3)
    rank = models.PositiveSmallIntegerField(_("rank"))
    incentive = models.ForeignKey(
        "campaigns.Incentive", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["entry__contest", "rank", "id"]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.entry}"


# Knowledge contest (live round) ------------------------------------------------------------


class RoundState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SHOWN = "shown", _("Shown")
    REVEALED = "revealed", _("Answer revealed")


class RoundQuestion(models.Model):
    """A question of the bank in a knowledge contest's round, in order. Its answer is shown
    on the screen only once the host reveals it."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey("exams.Question", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=RoundState.choices, default=RoundState.WAITING)
    shown_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="round_number_unique"),
            models.UniqueConstraint(fields=["contest", "question"], name="round_question_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contest} · {self.number}"


class TeamAnswer(models.Model):
    round_question = models.ForeignKey(
        RoundQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    correct = models.BooleanField(_("correct"))
    points = models.DecimalField(max_digits=6, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round_question", "entry"], name="team_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_question} · {self.entry}"
