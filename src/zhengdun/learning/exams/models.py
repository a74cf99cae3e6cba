"""The question bank and online exams (考学).

A question belongs to a unit's bank and carries free tags of a kind (handbook chapter, law,
difficulty). An exam names its audience (units' subtrees and/or people), its window, time limit,
pass mark and draw rules; every attempt stores its own draw (question ids, option order) and its
answers in JSON on the row, so autosaving an answer is one conditional UPDATE whatever the size
of the exam, and grading reads the questions once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    FILL = "fill", _("Fill in the blank")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class TagKind(models.TextChoices):
    CHAPTER = "chapter", _("Handbook chapter")
    LAW = "law", _("Law or regulation")
    DIFFICULTY = "difficulty", _("Difficulty")
    TOPIC = "topic", _("Topic")


class Tag(models.Model):
    """A free label of a kind; questions are filtered and drawn by tags."""

    kind = models.CharField(_("kind"), max_length=20, choices=TagKind.choices)
    name = models.CharField(pgettext_lazy("tag", "name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="exams_tag_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}:{self.name}"


class Question(models.Model):
    """One item of a unit's bank.

    ``options`` is the list of option texts (choice kinds only); an option's identity is its
    index in that list, so per-attempt shuffling stores only a permutation. ``answer`` holds
    the correct option indexes (choice kinds), ``[true]``/``[false]`` (true/false) or the
    accepted texts (fill-in). It never leaves the server before an attempt is submitted.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="+"
    )
    # The owning unit's path, copied so that bank scope is a prefix match on this table.
    unit_path = models.CharField(max_length=48, editable=False, db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("correct answer"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="questions", blank=True)
    is_active = models.BooleanField(pgettext_lazy("question", "in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "is_active"], name="exams_question_kind")]

    def __str__(self) -> str:
        return self.text[:40]


class Exam(models.Model):
    """An online exam: who takes it, when, for how long, how it is drawn and passed.

    Other apps point here: a course's final exam, a leader's 考学 exam.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=48, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("instructions"), blank=True)
    audience_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("audience units"), related_name="+", blank=True
    )
    audience_persons = models.ManyToManyField(
        "org.Person", verbose_name=_("audience people"), related_name="+", blank=True
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    time_limit = models.PositiveIntegerField(_("time limit (minutes)"), default=60)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    is_published = models.BooleanField(_("published"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["is_published", "closes_at"], name="exams_exam_open")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_published and self.opens_at <= at < self.closes_at


class DrawRule(models.Model):
    """One row of an exam's draw: ``count`` questions of ``kind`` carrying every tag in
    ``tags``, worth ``points`` each."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    count = models.PositiveSmallIntegerField(_("count"))
    points = models.PositiveSmallIntegerField(_("points each"), default=1)
    tags = models.ManyToManyField(
        Tag, verbose_name=_("required tags"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("draw rule")
        verbose_name_plural = _("draw rules")
        ordering = ["exam_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.count}"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Closed at the time limit")


class Attempt(models.Model):
    """One person's sitting of an exam.

    ``items`` is the draw: ``[{"q": question id, "k": kind, "p": points, "o": option order}]``
    in the order shown. ``answers`` maps question id (as a string) to the answer given: option
    indexes (choice kinds), a boolean, or a text. ``revision`` grows with every save, so a
    save is a compare-and-swap and concurrent saves of one attempt never lose an answer.
    ``marks`` (after grading) maps question id to 1/0, read by the item statistics.
    """

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("attempt"), default=1)
    # The person's unit when they started, for results by unit.
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=48, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    items = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("full marks"), default=0)
    percent = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    marks = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["exam_id", "person_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "person", "number"], name="exams_attempt_unique"
            ),
            # At most one attempt in progress per person and exam, even when two starts race.
            models.UniqueConstraint(
                fields=["exam", "person"],
                condition=models.Q(state="in_progress"),
                name="exams_attempt_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["exam", "unit_path"], name="exams_attempt_unit"),
            models.Index(fields=["person", "exam"], name="exams_attempt_person"),
            models.Index(fields=["state", "deadline"], name="exams_attempt_due"),
        ]

    def __str__(self) -> str:
        return f"{self.exam} · {self.person_id} · {self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    def seconds_left(self, at=None) -> int:
        at = at or timezone.now()
        return max(0, int((self.deadline - at).total_seconds()))
