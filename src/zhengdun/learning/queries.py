"""Read side of learning: lists, study hours and attendance rates, talk completion, course
completion. Each function takes the viewer (or a checked object) and issues a fixed number of
queries whatever the number of rows."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhengdun.learning import rules
from zhengdun.learning.models import (
    Attendance,
    AttendanceStatus,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Rating,
    Review,
    Session,
    StudyReport,
    Talk,
    TalkRound,
)
from zhengdun.learning.permissions import (
    LearningPerm,
    courses_visible_to,
    leadership_of,
    sessions_visible_to,
    talk_rounds_visible_to,
)
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit

PRESENT = Q(status=AttendanceStatus.PRESENT)
ABSENT = Q(status=AttendanceStatus.ABSENT)
EXCUSED = Q(status=AttendanceStatus.EXCUSED)


def session_list(
    user,
    *,
    under: Unit | None = None,
    subject: str = "",
    start: date | None = None,
    end: date | None = None,
    courses: bool | None = False,
) -> QuerySet[Session]:
    """Sessions in view, newest first, with their attendance counts (one query a page);
    study sessions only, a course's classes only (``courses``), or both (None)."""
    sessions = sessions_visible_to(user)
    if courses is not None:
        sessions = sessions.filter(course__isnull=not courses)
    if under is not None:
        sessions = sessions.filter(scope.prefix_q("unit_path", under.path))
    if subject:
        sessions = sessions.filter(subject=subject)
    if start:
        sessions = sessions.filter(held_on__gte=start)
    if end:
        sessions = sessions.filter(held_on__lte=end)
    return with_turnout(sessions.select_related("unit", "course")).order_by("-held_on", "-id")


def _count(queryset) -> Coalesce:
    """A correlated subquery's row count, 0 when none."""
    counted = queryset.order_by().annotate(
        n=Func(F("id"), function="COUNT", output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def _roster_unmarked() -> Case:
    """For a session (the outer row): how many on its roster have no mark. The roster is the
    course's enrolees, or the active people of the session's unit (``actions.roster``)."""
    no_mark = ~Exists(
        Attendance.objects.filter(session_id=OuterRef(OuterRef("pk")), person_id=OuterRef("pk"))
    )
    unit_people = Person.objects.filter(
        no_mark, unit_id=OuterRef("unit_id"), status=PersonStatus.ACTIVE
    )
    enrolees = Enrolment.objects.filter(
        ~Exists(
            Attendance.objects.filter(
                session_id=OuterRef(OuterRef("pk")), person_id=OuterRef("person_id")
            )
        ),
        course_id=OuterRef("course_id"),
    )
    return Case(
        When(course__isnull=True, then=_count(unit_people)),
        default=_count(enrolees),
        output_field=IntegerField(),
    )


def with_turnout(sessions: QuerySet[Session], today: date | None = None) -> QuerySet[Session]:
    """Each session with ``present``, ``excused``, ``absent`` and ``expected`` by the one rule
    of learning (``rules.attendance_rate``): whoever is on the roster is expected; one not
    marked counts as absent once the session's date has passed; excused counts neither way.
    ``marked`` is the number of marks. Still one query."""
    today = today or timezone.localdate()
    marked_absent = Count("attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT))
    unmarked = Case(
        When(held_on__lt=today, then=_roster_unmarked()), default=0, output_field=IntegerField()
    )
    return sessions.annotate(
        present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        excused=Count("attendance", filter=Q(attendance__status=AttendanceStatus.EXCUSED)),
        marked=Count("attendance"),
        unmarked=unmarked,
    ).annotate(
        absent=marked_absent + F("unmarked"),
        expected=F("present") + marked_absent + F("unmarked"),
    )


def attendance_people(session: Session) -> QuerySet[Person]:
    """The session's roll: the roster and anyone marked who has left it since, in unit and
    name order (a queryset, to paginate)."""
    from zhengdun.learning.actions import roster

    marked = Attendance.objects.filter(session=session).values("person_id")
    return (
        Person.objects.filter(Q(pk__in=roster(session).values("pk")) | Q(pk__in=marked))
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )


def marks_of(session: Session, people) -> dict[int, str]:
    """The stored mark of each of ``people`` (a page of the roll) at the session. One query."""
    return dict(
        Attendance.objects.filter(
            session=session, person_id__in=[person.pk for person in people]
        ).values_list("person_id", "status")
    )


def attendance_sheet(session: Session) -> list[tuple[Person, str]]:
    """The whole roll with each person's mark ("" when unmarked). Two queries."""
    people = list(attendance_people(session))
    marks = marks_of(session, people)
    return [(person, marks.get(person.pk, "")) for person in people]


# Study hours and attendance rates --------------------------------------------------------------


def _marks_of_person(start: date, end: date):
    """The outer person's marks at sessions held in the period."""
    return Attendance.objects.filter(
        person_id=OuterRef("pk"), session__held_on__gte=start, session__held_on__lte=end
    )


def _unmarked_of_person(start: date, end: date, today: date) -> Case:
    """How many sessions of the period, already past, had the outer person on their roster
    without marking them: sessions of their unit (while they are active) and classes of the
    courses they are enrolled in."""
    past = Session.objects.filter(held_on__gte=start, held_on__lte=end, held_on__lt=today).filter(
        ~Exists(
            Attendance.objects.filter(session_id=OuterRef("pk"), person_id=OuterRef(OuterRef("pk")))
        )
    )
    own_unit = past.filter(course__isnull=True, unit_id=OuterRef("unit_id"))
    classes = past.filter(
        Exists(
            Enrolment.objects.filter(
                course_id=OuterRef("course_id"), person_id=OuterRef(OuterRef("pk"))
            )
        )
    )
    return Case(
        When(status=PersonStatus.ACTIVE, then=_count(own_unit)),
        default=0,
        output_field=IntegerField(),
    ) + _count(classes)


def _with_tally(people: QuerySet[Person], start: date, end: date) -> QuerySet[Person]:
    """People annotated with ``present``, ``absent`` (marked absent, or on the roster of a past
    session and not marked), ``excused`` and ``hours`` in the period: the same rule as
    ``with_turnout``. Correlated subqueries, so still one query."""
    today = timezone.localdate()
    marks = _marks_of_person(start, end)
    hours = (
        marks.filter(PRESENT)
        .order_by()
        .annotate(h=Func(F("session__hours"), function="SUM", output_field=_DECIMAL))
    )
    return people.annotate(
        present=_count(marks.filter(PRESENT)),
        absent=_count(marks.filter(ABSENT)) + _unmarked_of_person(start, end, today),
        excused=_count(marks.filter(EXCUSED)),
        hours=Coalesce(Subquery(hours.values("h")[:1]), Value(Decimal(0)), output_field=_DECIMAL),
    )


def _people_in(user, under: Unit | None) -> QuerySet[Person]:
    people = Person.objects.filter(scope.within(user, LearningPerm.VIEW, "unit__path"))
    if under is not None:
        people = people.filter(scope.prefix_q("unit__path", under.path))
    return people


_DECIMAL = DecimalField(max_digits=9, decimal_places=1)


@dataclass
class Tally:
    present: int
    absent: int
    excused: int
    hours: Decimal

    @property
    def rate(self) -> float | None:
        return rules.attendance_rate(self.present, self.absent)

    @property
    def rate_text(self) -> str:
        return rules.percent(self.rate)


def _tally(row) -> Tally:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return Tally(
        int(get("present") or 0),
        int(get("absent") or 0),
        int(get("excused") or 0),
        Decimal(get("hours") or 0),
    )


def _counted(people: QuerySet[Person]) -> QuerySet[Person]:
    """Only those with something in the period: expected somewhere or excused."""
    return people.filter(Q(present__gt=0) | Q(absent__gt=0) | Q(excused__gt=0))


def unit_rates(user, *, under: Unit | None, start: date, end: date) -> list[tuple[Unit, Tally]]:
    """Hours attended and attendance rate of each unit (its people's) in the period, units in
    tree order. Two queries: the people's tallies summed per unit, and the units."""
    grouped = (
        _counted(_with_tally(_people_in(user, under), start, end))
        .values("unit_id")
        .annotate(
            t_present=Sum("present"),
            t_absent=Sum("absent"),
            t_excused=Sum("excused"),
            t_hours=Sum("hours"),
        )
        .order_by()
    )
    tallies = {
        row["unit_id"]: Tally(
            int(row["t_present"] or 0),
            int(row["t_absent"] or 0),
            int(row["t_excused"] or 0),
            Decimal(row["t_hours"] or 0),
        )
        for row in grouped
    }
    units = Unit.objects.filter(pk__in=list(tallies)).order_by("path")
    return [(unit, tallies[unit.pk]) for unit in units]


def person_rates(user, *, under: Unit | None, start: date, end: date) -> QuerySet[Person]:
    """Hours and rate per person in the period, most hours first: people annotated with their
    tally, to paginate, then ``with_people`` on the page."""
    return (
        _counted(_with_tally(_people_in(user, under), start, end))
        .select_related("unit")
        .order_by("-hours", "id")
    )


def with_people(rows) -> list[tuple[Person, Tally]]:
    """The page's people with their tallies (already annotated: no query)."""
    return [(person, _tally(person)) for person in rows]


def person_tally(person: Person, *, start: date, end: date) -> Tally:
    row = _with_tally(Person.objects.filter(pk=person.pk), start, end).first()
    return _tally(row) if row is not None else Tally(0, 0, 0, Decimal(0))


# Leadership reviews -----------------------------------------------------------------------------


def review_list(user) -> QuerySet[Review]:
    from zhengdun.learning.permissions import reviews_visible_to

    return reviews_visible_to(user).select_related("unit", "exam").order_by("-period_end", "-id")


@dataclass
class LeaderLine:
    person: Person
    report: StudyReport | None
    average: float | None
    ratings: int
    exam_score: Decimal | None
    exam_passed: bool | None


def review_board(review: Review) -> list[LeaderLine]:
    """Each leader of the group with their report, its average rating and their exam result
    (four queries)."""
    leaders = list(leadership_of(review.unit).select_related("unit").order_by("name", "id"))
    reports = {
        report.person_id: report
        for report in StudyReport.objects.filter(review=review).annotate(
            average=Avg("ratings__score"), rated=Count("ratings")
        )
    }
    results = {}
    if review.exam_id:
        from zhengdun.learning.exams.queries import best_results

        results = best_results(leaders, review.exam_id)
    lines = []
    for person in leaders:
        report = reports.get(person.pk)
        attempt = results.get(person.pk)
        lines.append(
            LeaderLine(
                person=person,
                report=report,
                average=round(report.average, 1) if report and report.average else None,
                ratings=report.rated if report else 0,
                exam_score=attempt.percent if attempt else None,
                exam_passed=attempt.passed if attempt else None,
            )
        )
    return lines


def ratings_of(report: StudyReport) -> QuerySet[Rating]:
    return Rating.objects.filter(report=report).select_related("rater").order_by("rated_at")


# Talks ------------------------------------------------------------------------------------------


def talk_round_list(user) -> QuerySet[TalkRound]:
    return (
        talk_rounds_visible_to(user).select_related("unit", "campaign").order_by("-opens_on", "-id")
    )


@dataclass
class UnitCompletion:
    unit: Unit
    people: int
    written: int
    commented: int

    @property
    def missing(self) -> int:
        return max(self.people - self.written, 0)


def talk_completion(round_: TalkRound, user) -> list[UnitCompletion]:
    """For each unit of the round in the viewer's scope: its active people, how many wrote
    their talks and how many of those the leader commented on. Three queries."""
    visible = scope.within(user, LearningPerm.VIEW, "unit__path") | scope.within(
        user, LearningPerm.LEAD, "unit__path"
    )
    people = dict(
        Person.objects.filter(
            visible,
            scope.prefix_q("unit__path", round_.unit_path),
            status=PersonStatus.ACTIVE,
        )
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    talks = {
        unit_id: (written, commented)
        for unit_id, written, commented in Talk.objects.filter(
            scope.within(user, LearningPerm.VIEW, "unit_path")
            | scope.within(user, LearningPerm.LEAD, "unit_path"),
            round=round_,
        )
        .values_list("unit_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(commented_at__isnull=False)))
        .order_by()
    }
    ids = set(people) | set(talks)
    units = Unit.objects.filter(pk__in=ids).order_by("path")
    return [
        UnitCompletion(
            unit=unit,
            people=people.get(unit.pk, 0),
            written=talks.get(unit.pk, (0, 0))[0],
            commented=talks.get(unit.pk, (0, 0))[1],
        )
        for unit in units
    ]


def talks_of_round(user, round_: TalkRound, *, unit: Unit | None = None) -> QuerySet[Talk]:
    from zhengdun.learning.permissions import talks_visible_to

    talks = talks_visible_to(user).filter(round=round_)
    if unit is not None:
        talks = talks.filter(scope.prefix_q("unit_path", unit.path))
    return talks.select_related("person", "unit").order_by("unit_path", "person__name", "id")


def missing_people(user, round_: TalkRound, *, unit: Unit | None = None) -> QuerySet[Person]:
    """Active people of the round (in the viewer's scope) who have not written their talks."""
    people = Person.objects.filter(
        scope.within(user, LearningPerm.VIEW, "unit__path")
        | scope.within(user, LearningPerm.LEAD, "unit__path"),
        scope.prefix_q("unit__path", (unit or round_.unit).path),
        status=PersonStatus.ACTIVE,
    ).exclude(pk__in=Talk.objects.filter(round=round_).values("person_id"))
    return people.select_related("unit").order_by("unit__path", "name", "id")


# Courses ----------------------------------------------------------------------------------------


def course_list(user, *, kind: str = "") -> QuerySet[Course]:
    courses = courses_visible_to(user)
    if kind:
        courses = courses.filter(kind=kind)
    return (
        courses.select_related("unit")
        .annotate(enrolled=Count("enrolments"))
        .order_by("-starts_on", "-id")
    )


def completion_of(course: Course, enrolments) -> dict[int, rules.Completion]:
    """Where each enrolment stands against the course's rules (keyed by enrolment id). Five
    queries whatever the number of enrolees: classes (all and held) and lessons counted,
    attendance and lesson progress grouped by person, the exam's best results. Only classes
    whose date has passed count against anyone."""
    enrolments = list(enrolments)
    person_ids = [e.person_id for e in enrolments]
    today = timezone.localdate()
    held = Q(session__held_on__lt=today)
    classes = Session.objects.filter(course=course).aggregate(
        all=Count("id"), held=Count("id", filter=Q(held_on__lt=today))
    )
    lessons = Lesson.objects.filter(course=course).count()
    marks = {
        row["person_id"]: row
        for row in Attendance.objects.filter(session__course=course, person_id__in=person_ids)
        .values("person_id")
        .annotate(
            present=Count("id", filter=PRESENT),
            absent=Count("id", filter=ABSENT),
            excused=Count("id", filter=EXCUSED),
            marked_held=Count("id", filter=held),
        )
        .order_by()
    }
    done = dict(
        LessonProgress.objects.filter(
            lesson__course=course, person_id__in=person_ids, completed_at__isnull=False
        )
        .values_list("person_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    results = {}
    if course.exam_id:
        from zhengdun.learning.exams.queries import best_results

        results = best_results(person_ids, course.exam_id)
    standing = {}
    for enrolment in enrolments:
        row = marks.get(enrolment.person_id, {})
        attempt = results.get(enrolment.person_id)
        # The one rule (``with_turnout``): a class already held without a mark is missed.
        unmarked = max(classes["held"] - row.get("marked_held", 0), 0)
        standing[enrolment.pk] = rules.Completion(
            present=row.get("present", 0),
            absent=row.get("absent", 0) + unmarked,
            excused=row.get("excused", 0),
            sessions=classes["all"],
            held=classes["held"],
            lessons_done=done.get(enrolment.person_id, 0),
            lessons=lessons,
            min_attendance=course.min_attendance,
            exam_required=bool(course.exam_id),
            exam_passed=bool(attempt and attempt.passed),
            exam_score=attempt.percent if attempt else None,
        )
    return standing


def enrolments_in_view(user, course: Course) -> QuerySet[Enrolment]:
    """The course's enrolees the viewer may see: all for those who see the course's unit's
    people, otherwise only oneself."""
    from zhengdun.learning.permissions import person_of

    condition = scope.within(user, LearningPerm.VIEW, "unit_path")
    person = person_of(user)
    if person is not None:
        condition |= Q(person=person)
    return (
        Enrolment.objects.filter(condition, course=course)
        .select_related("person__unit")
        .order_by("unit_path", "person__name", "id")
    )


def lesson_progress(lessons, person: Person | None) -> dict[int, LessonProgress]:
    if person is None:
        return {}
    return {
        row.lesson_id: row
        for row in LessonProgress.objects.filter(lesson__in=list(lessons), person=person)
    }


def copied_talk_signals(user, round_: TalkRound) -> list:
    """The copied-talk signals of the round (from its self-inspection round's detectors) that
    the viewer may see: those whose unit (the lowest above both talks) lies in the viewer's
    LEAD or VIEW scope. One query."""
    if round_.selfcheck_round_id is None:
        return []
    from zhengdun.selfcheck.models import Signal, SignalKind

    return list(
        Signal.objects.filter(
            scope.within(user, LearningPerm.LEAD, "unit_path")
            | scope.within(user, LearningPerm.VIEW, "unit_path"),
            round_id=round_.selfcheck_round_id,
            kind=SignalKind.COPIED_TALK,
            detail__talk_round=round_.pk,
        )
        .select_related("unit")
        .order_by("-score", "id")
    )


def with_passages(user, signals: list) -> list:
    """The signals, each with the passage its two talks share (``passage``) when the viewer may
    open both talks, else "". The passage is not stored on the signal, which the campaign
    office sees without the right to read talks. One query."""
    from zhengdun.learning.permissions import talks_visible_to
    from zhengdun.learning.similar import talk_text
    from zhengdun.selfcheck import formalism

    ids = {pk for signal in signals for pk in signal.detail.get("talks", [])}
    talks = {talk.pk: talk for talk in talks_visible_to(user).filter(pk__in=ids)}
    for signal in signals:
        pair = [talks.get(pk) for pk in signal.detail.get("talks", [])]
        signal.passage = ""
        if len(pair) == 2 and all(pair):
            signal.passage = formalism.shared_passage(talk_text(pair[0]), talk_text(pair[1]))[
                : formalism.PASSAGE_CHARS
            ]
    return signals


def course_sessions(course: Course) -> QuerySet[Session]:
    return with_turnout(Session.objects.filter(course=course)).order_by("held_on", "id")
