"""Who may see and do what in learning.

Grants give the office, unit leaders and liaisons their part over a subtree: they plan
sessions, talk rounds and courses and record attendance (PLAN); viewers see (VIEW). Unit
leaders also read their people's study notes and talks and comment on the talks (LEAD): notes
and talks are for the person and the leaders of their unit, not for every planner. Officers
hold nothing here by their grant: they see the sessions they are on the roll of, the courses
they are enrolled in and their own notes and talks.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from zhengdun.core.ids import id_or_404
from zhengdun.learning.models import (
    Attendance,
    Course,
    Enrolment,
    Lesson,
    Review,
    Session,
    SessionFile,
    StudyNote,
    StudyReport,
    Talk,
    TalkRound,
)
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus
from zhengdun.org.roles import Role


class LearningPerm:
    VIEW = "learning.view"  # sessions, rates, talk completion, courses of the units in scope
    PLAN = "learning.plan"  # plan sessions, talk rounds, courses; record attendance; enrol
    LEAD = "learning.lead"  # read the unit's notes and talks, comment on the talks


def person_of(user) -> Person | None:
    """The user's own person record, if any (no query when already loaded)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def covers(user, perm: str, path: str) -> bool:
    return scope.scope_of(user).covers(perm, path)


# Sessions ------------------------------------------------------------------------------------


def sessions_visible_to(user) -> QuerySet[Session]:
    """Sessions of the units in the user's VIEW scope, and those the user is on the roll of
    (marked on the attendance, or enrolled in the session's course)."""
    condition = scope.within(user, LearningPerm.VIEW, "unit_path")
    person = person_of(user)
    if person is not None:
        condition |= Q(
            Exists(Attendance.objects.filter(session=OuterRef("pk"), person=person))
        ) | Q(Exists(Enrolment.objects.filter(course=OuterRef("course"), person=person)))
    return Session.objects.filter(condition)


def get_session_for_user(user, pk, *, write: bool = False) -> Session:
    session = (
        sessions_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("unit", "course", "created_by")
        .first()
    )
    if session is None:
        raise Http404
    if write and not covers(user, LearningPerm.PLAN, session.unit_path):
        raise PermissionDenied
    return session


def get_session_file_for_user(user, pk) -> SessionFile:
    stored = SessionFile.objects.filter(pk=id_or_404(pk)).first()
    if stored is None:
        raise Http404
    get_session_for_user(user, stored.session_id)
    return stored


def notes_visible_to(user) -> QuerySet[StudyNote]:
    """One's own notes, and the notes of the people in the units one leads."""
    condition = scope.within(user, LearningPerm.LEAD, "unit_path")
    person = person_of(user)
    if person is not None:
        condition |= Q(person=person)
    return StudyNote.objects.filter(condition)


# Leadership reviews (述学评学考学) -------------------------------------------------------------


def leadership_of(unit) -> QuerySet[Person]:
    """The unit's leadership group: the active people whose account leads this very unit."""
    return Person.objects.filter(
        user__grants__role=Role.UNIT_LEADER,
        user__grants__unit=unit,
        user__is_active=True,
        status=PersonStatus.ACTIVE,
    ).distinct()


def in_leadership(person: Person | None, unit) -> bool:
    return person is not None and leadership_of(unit).filter(pk=person.pk).exists()


def reviews_visible_to(user) -> QuerySet[Review]:
    return Review.objects.filter(scope.within(user, LearningPerm.VIEW, "unit_path"))


def get_review_for_user(user, pk, *, write: bool = False) -> Review:
    review = (
        reviews_visible_to(user).filter(pk=id_or_404(pk)).select_related("unit", "exam").first()
    )
    if review is None:
        raise Http404
    if write and not covers(user, LearningPerm.PLAN, review.unit_path):
        raise PermissionDenied
    return review


def get_study_report_for_user(user, pk) -> StudyReport:
    report = StudyReport.objects.filter(pk=id_or_404(pk)).select_related("review", "person").first()
    if report is None:
        raise Http404
    get_review_for_user(user, report.review_id)
    return report


# Talks (三谈) ---------------------------------------------------------------------------------


def talk_rounds_visible_to(user) -> QuerySet[TalkRound]:
    """Rounds over units in VIEW scope, and the rounds the user takes part in (their unit lies
    in the round's subtree)."""
    condition = scope.within(user, LearningPerm.VIEW, "unit_path")
    person = person_of(user)
    if person is not None:
        from zhengdun.org.models import ancestor_paths

        condition |= Q(unit_path__in=ancestor_paths(person.unit.path))
    return TalkRound.objects.filter(condition)


def get_talk_round_for_user(user, pk, *, write: bool = False) -> TalkRound:
    round_ = (
        talk_rounds_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("unit", "campaign", "selfcheck_round")
        .first()
    )
    if round_ is None:
        raise Http404
    if write and not covers(user, LearningPerm.PLAN, round_.unit_path):
        raise PermissionDenied
    return round_


def talks_visible_to(user) -> QuerySet[Talk]:
    """One's own talks, and those of the people in the units one leads."""
    condition = scope.within(user, LearningPerm.LEAD, "unit_path")
    person = person_of(user)
    if person is not None:
        condition |= Q(person=person)
    return Talk.objects.filter(condition)


def get_talk_for_user(user, pk, *, write: bool = False) -> Talk:
    """``write``: comment on it (the leaders of the talk's unit)."""
    talk = (
        talks_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("round", "person", "unit", "commented_by__person")
        .first()
    )
    if talk is None:
        raise Http404
    if write and not covers(user, LearningPerm.LEAD, talk.unit_path):
        raise PermissionDenied
    return talk


# Courses --------------------------------------------------------------------------------------


def courses_visible_to(user) -> QuerySet[Course]:
    condition = scope.within(user, LearningPerm.VIEW, "unit_path")
    person = person_of(user)
    if person is not None:
        condition |= Q(Exists(Enrolment.objects.filter(course=OuterRef("pk"), person=person)))
    return Course.objects.filter(condition)


def get_course_for_user(user, pk, *, write: bool = False) -> Course:
    course = (
        courses_visible_to(user).filter(pk=id_or_404(pk)).select_related("unit", "exam").first()
    )
    if course is None:
        raise Http404
    if write and not covers(user, LearningPerm.PLAN, course.unit_path):
        raise PermissionDenied
    return course


def get_lesson_for_user(user, pk) -> Lesson:
    lesson = Lesson.objects.filter(pk=id_or_404(pk)).first()
    if lesson is None:
        raise Http404
    lesson.course = get_course_for_user(user, lesson.course_id)
    return lesson


def get_enrolment_for_user(user, pk) -> Enrolment:
    """An enrolment (for its certificate): the enrolee's own, or one in the planner's scope."""
    enrolment = (
        Enrolment.objects.filter(pk=id_or_404(pk)).select_related("course", "person__unit").first()
    )
    if enrolment is None:
        raise Http404
    person = person_of(user)
    own = person is not None and enrolment.person_id == person.pk
    if not (own or covers(user, LearningPerm.VIEW, enrolment.unit_path)):
        raise Http404
    get_course_for_user(user, enrolment.course_id)
    return enrolment
