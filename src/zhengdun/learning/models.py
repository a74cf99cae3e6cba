"""Study (三学), talks (三谈) and courses.

A study session and a course session are the same thing (``Session``): a course's classes are
sessions with ``course`` set, so attendance, hours and rates have one mechanism. Rows keep the
materialized path of their unit (``unit_path``) so that scope is a prefix match on one column.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Subject(models.TextChoices):
    """The three subjects of study (三学)."""

    PARTY = "party", _("Party rules and the guiding thought")
    LAW = "law", _("Laws, regulations and internal rules")
    DEPLOYMENT = "deployment", _("The provincial and city deployment")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class CourseKind(models.TextChoices):
    NIGHT_SCHOOL = "night", _("Night school")
    ONLINE_SCHOOL = "online", _("Online school")
    LECTURE = "lecture", _("Lecture series")


class StoredFile(models.Model):
    """A checked upload (``core.uploads``) kept under the data dir."""

    file = models.FileField(upload_to="learning/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=120)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=48, editable=False)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    min_attendance = models.PositiveSmallIntegerField(_("minimum attendance rate (%)"), default=80)
    exam = models.ForeignKey(
        "exams.Exam",
        verbose_name=_("final exam"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "starts_on"], name="course_scope")]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """A study session (三学) or one class of a course."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=48, editable=False)
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
    )
    topic = models.CharField(_("topic"), max_length=200)
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices, blank=True)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("duration (hours)"), max_digits=4, decimal_places=1)
    speaker = models.CharField(_("speaker"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["unit_path", "held_on", "id"], name="session_scope"),
            models.Index(fields=["course", "held_on"], name="session_course"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class SessionFile(StoredFile):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")


class Attendance(models.Model):
    """One person's attendance at one session. The person's unit is kept as it was, so rates
    by unit do not move when someone is transferred later."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="learning_attendance"
    )
    unit_path = models.CharField(max_length=48)
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_once"),
        ]
        indexes = [
            models.Index(fields=["unit_path", "status"], name="attendance_scope"),
            models.Index(fields=["person", "status"], name="attendance_person"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.person_id} · {self.status}"


class StudyNote(models.Model):
    """An attendee's own notes on a session: for the person and the leaders of their unit."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=48)
    text = models.TextField(_("study notes"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("study notes")
        verbose_name_plural = _("study notes")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="note_once")]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.person_id}"


class Review(models.Model):
    """述学评学考学 of a unit's leadership group for a period: each leader reports on their
    study (述学), colleagues rate the reports (评学), and an exam tests them (考学)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=48, editable=False)
    title = models.CharField(_("title"), max_length=120)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    exam = models.ForeignKey(
        "exams.Exam",
        verbose_name=_("exam"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("leadership study review")
        verbose_name_plural = _("leadership study reviews")
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["unit_path", "period_end"], name="review_scope")]

    def __str__(self) -> str:
        return self.title


class StudyReport(models.Model):
    """A leader's study report (述学)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("study report"))
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("study report")
        verbose_name_plural = _("study reports")
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="study_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} · {self.person_id}"


class Rating(models.Model):
    """A colleague's rating of a study report (评学): never one's own, once each."""

    report = models.ForeignKey(StudyReport, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["report", "rater"], name="rating_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=100), name="rating_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} · {self.rater_id} · {self.score}"


class TalkRound(models.Model):
    """A round of the three talks (三谈) over a unit's subtree, in a campaign or a period."""

    title = models.CharField(_("title"), max_length=120)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("units taking part (this unit and below)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_path = models.CharField(max_length=48, editable=False)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Copied talks are reported with the formalism signals of this self-inspection round.
    selfcheck_round = models.ForeignKey(
        "selfcheck.Round",
        verbose_name=_("self-inspection round"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("talk round")
        verbose_name_plural = _("talk rounds")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "opens_on"], name="talk_round_scope")]

    def __str__(self) -> str:
        return self.title


TALK_FIELDS = ("mission", "shortcomings", "direction")


class Talk(models.Model):
    """One officer's three talks in a round, and the unit leader's comment."""

    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="talks")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=48)
    mission = models.TextField(_("My understanding of the mission"))
    shortcomings = models.TextField(_("My shortcomings and problems"))
    direction = models.TextField(_("The breakthrough and direction for my post"))
    written_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(pgettext_lazy("talk", "leader's comment"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("three talks")
        verbose_name_plural = _("three talks")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="talk_once")]
        indexes = [models.Index(fields=["round", "unit_path"], name="talk_scope")]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.person_id}"


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=48)
    enrolled_at = models.DateTimeField(default=timezone.now)
    certificate_no = models.CharField(_("certificate number"), max_length=32, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="enrolment_once"),
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~models.Q(certificate_no=""),
                name="certificate_no_unique",
            ),
        ]
        indexes = [models.Index(fields=["person", "course"], name="enrolment_person")]

    def __str__(self) -> str:
        return f"{self.course_id} · {self.person_id}"


class LessonKind(models.TextChoices):
    READ = "read", _("To read")
    WATCH = "watch", _("To watch")


class Lesson(StoredFile):
    """An online-school lesson: a document to read or a video to watch."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=6, choices=LessonKind.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["position", "id"]


class LessonProgress(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    fraction = models.FloatField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "person"], name="lesson_progress_once"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} · {self.person_id} · {self.fraction:.2f}"
