"""Every change to learning: sessions and their attendance and notes, the leadership's study
reports and ratings, talks, courses, enrolment, lessons and certificates. Each action checks
permission, validates, writes and audits in one transaction."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core import uploads
from zhengdun.core.ids import parse_id
from zhengdun.learning import rules
from zhengdun.learning.models import (
    TALK_FIELDS,
    Attendance,
    AttendanceStatus,
    Course,
    CourseKind,
    Enrolment,
    Lesson,
    LessonKind,
    LessonProgress,
    Rating,
    Review,
    Session,
    SessionFile,
    StudyNote,
    StudyReport,
    Subject,
    Talk,
    TalkRound,
)
from zhengdun.learning.permissions import LearningPerm, covers, in_leadership, person_of
from zhengdun.notify.actions import send
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit

MAX_HOURS = Decimal("24")
TEXT_LIMIT = 20_000  # characters of a note, report or talk


def _require(actor, perm: str, unit: Unit) -> None:
    if not scope.can(actor, perm, unit):
        raise PermissionDenied


def _own_person(actor) -> Person:
    """The acting user's person: notes, talks, reports and ratings are written by people."""
    person = person_of(actor)
    if person is None or person.status != PersonStatus.ACTIVE:
        raise PermissionDenied
    return person


def _text(value: str | None, field: str, errors: dict, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > TEXT_LIMIT:
        errors[field] = _("At most %(n)d characters.") % {"n": TEXT_LIMIT}
    return value


def _period(start: date | None, end: date | None, errors: dict, field: str = "period_end"):
    if start is None or end is None:
        errors[field] = _("Enter both dates.")
    elif end < start:
        errors[field] = _("The end is before the start.")


# Sessions --------------------------------------------------------------------------------------


def _hours(value, errors: dict) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors["hours"] = _("Enter a number of hours.")
        return Decimal(0)
    if not Decimal(0) < hours <= MAX_HOURS:
        errors["hours"] = _("Between 0.1 and 24 hours.")
    return hours


def save_session(
    actor,
    *,
    session: Session | None = None,
    unit: Unit | None = None,
    course: Course | None = None,
    topic: str,
    subject: str = "",
    held_on: date | None,
    hours,
    speaker: str = "",
) -> Session:
    """Create (``session`` None) or change a study session, or a class of ``course``."""
    if course is not None:
        unit = course.unit
    elif session is not None:
        unit = unit or session.unit
        course = session.course
    if unit is None:
        raise ValidationError({"unit": _("Choose a unit.")})
    _require(actor, LearningPerm.PLAN, unit)
    if session is not None:
        _require(actor, LearningPerm.PLAN, session.unit)
    errors: dict = {}
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = _("Enter the topic.")
    elif len(topic) > 200:
        errors["topic"] = _("At most %(n)d characters.") % {"n": 200}
    if course is None and subject not in Subject.values:
        errors["subject"] = _("Choose one of the three subjects.")
    if course is not None and subject and subject not in Subject.values:
        errors["subject"] = _("Choose one of the three subjects.")
    if held_on is None:
        errors["held_on"] = _("Enter the date.")
    value = _hours(hours, errors)
    speaker = (speaker or "").strip()
    if len(speaker) > 60:
        errors["speaker"] = _("At most %(n)d characters.") % {"n": 60}
    if errors:
        raise ValidationError(errors)
    fields = {
        "unit": unit,
        "unit_path": unit.path,
        "course": course,
        "topic": topic,
        "subject": subject,
        "held_on": held_on,
        "hours": value,
        "speaker": speaker,
    }
    with transaction.atomic():
        if session is None:
            session = Session.objects.create(created_by=actor, **fields)
            changes = {"topic": topic, "held_on": held_on, "hours": value}
        else:
            changes = {
                name: [getattr(session, name), new]
                for name, new in fields.items()
                if name not in ("unit_path",) and getattr(session, name) != new
            }
            for name, new in fields.items():
                setattr(session, name, new)
            session.save()
        record(
            actor=actor, code=Code.LEARNING_SESSION_SAVED, obj=session, unit=unit, changes=changes
        )
    return session


def add_session_files(actor, *, session: Session, files: Iterable) -> list[SessionFile]:
    """Materials of a session, each checked for its type and size before it is stored."""
    _require(actor, LearningPerm.PLAN, session.unit)
    checked = uploads.check_all(files)
    stored = []
    with transaction.atomic():
        for upload, facts in checked:
            item = SessionFile(session=session, **facts)
            item.file.save(facts["name"], upload, save=False)
            item.save()
            stored.append(item)
        record(
            actor=actor,
            code=Code.LEARNING_SESSION_FILE_ADDED,
            obj=session,
            unit=session.unit,
            changes={"files": [item.name for item in stored]},
        )
    return stored


def roster(session: Session):
    """Whose attendance a session takes: a course's enrolees, or the active people of the
    session's unit."""
    if session.course_id:
        return Person.objects.filter(
            pk__in=Enrolment.objects.filter(course_id=session.course_id).values("person_id")
        )
    return Person.objects.filter(unit_id=session.unit_id, status=PersonStatus.ACTIVE)


def record_attendance(actor, *, session: Session, marks: dict) -> dict[str, int]:
    """Mark people present, excused or absent (``{person id: status}``); a mark replaces the
    earlier one. Everyone marked must be on the session's roster."""
    _require(actor, LearningPerm.PLAN, session.unit)
    errors = []
    cleaned: dict[int, str] = {}
    for key, status in marks.items():
        pk = parse_id(key)
        if pk is None:  # not a number, or beyond the database's integers: no such person
            errors.append(_("Unknown person: %(id)s.") % {"id": str(key)[:30]})
            continue
        if status not in AttendanceStatus.values:
            errors.append(_("Not an attendance status: %(status)s.") % {"status": status})
            continue
        cleaned[pk] = status
    people = {
        person.pk: person
        for person in roster(session).filter(pk__in=cleaned).select_related("unit")
    }
    missing = sorted(set(cleaned) - set(people))
    if missing:
        errors.append(
            _("Not on this session's roll: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        )
    if errors:
        raise ValidationError({"attendance": errors})
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.person_id: row
            for row in Attendance.objects.filter(session=session, person_id__in=cleaned)
        }
        changed, created = [], []
        for pk, status in cleaned.items():
            row = existing.get(pk)
            if row is None:
                created.append(
                    Attendance(
                        session=session,
                        person_id=pk,
                        unit_path=people[pk].unit.path,
                        status=status,
                        recorded_by=actor,
                        recorded_at=now,
                    )
                )
            elif row.status != status:
                row.status, row.recorded_by, row.recorded_at = status, actor, now
                changed.append(row)
        Attendance.objects.bulk_create(created)
        Attendance.objects.bulk_update(changed, ["status", "recorded_by", "recorded_at"])
        counts = {status: 0 for status in AttendanceStatus.values}
        for status in cleaned.values():
            counts[status] += 1
        record(
            actor=actor,
            code=Code.LEARNING_ATTENDANCE_RECORDED,
            obj=session,
            unit=session.unit,
            changes={"marked": len(cleaned), "changed": len(changed), **counts},
        )
    return counts


def save_note(actor, *, session: Session, text: str) -> StudyNote:
    """The attendee's own notes on a session (written only by the attendee)."""
    person = _own_person(actor)
    if not roster(session).filter(pk=person.pk).exists():
        raise PermissionDenied
    errors: dict = {}
    text = _text(text, "text", errors)
    if errors:
        raise ValidationError(errors)
    return store_note(actor, session=session, person=person, text=text)


def store_note(actor, *, session: Session, person: Person, text: str) -> StudyNote:
    """Write a person's checked notes and audit it (``save_note``; the demo for officers
    without a login)."""
    with transaction.atomic():
        note, created = StudyNote.objects.update_or_create(
            session=session,
            person=person,
            defaults={"text": text, "unit_path": person.unit.path, "updated_at": timezone.now()},
        )
        record(
            actor=actor,
            code=Code.LEARNING_NOTE_SAVED,
            obj=note,
            unit=person.unit,
            changes={"session": session.pk, "chars": len(text), "new": created},
        )
    return note


# Leadership: 述学, 评学, 考学 -------------------------------------------------------------------


def create_review(
    actor,
    *,
    unit: Unit,
    title: str,
    period_start: date | None,
    period_end: date | None,
    exam=None,
) -> Review:
    _require(actor, LearningPerm.PLAN, unit)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > 120:
        errors["title"] = _("At most %(n)d characters.") % {"n": 120}
    _period(period_start, period_end, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = Review.objects.create(
            unit=unit,
            unit_path=unit.path,
            title=title,
            period_start=period_start,
            period_end=period_end,
            exam=exam,
        )
        record(
            actor=actor,
            code=Code.LEARNING_REVIEW_CREATED,
            obj=review,
            unit=unit,
            changes={"title": title, "exam": exam},
        )
    return review


def save_study_report(actor, *, review: Review, text: str) -> StudyReport:
    """A leader's own study report (述学); it can be rewritten until a colleague rates it."""
    person = _own_person(actor)
    if not in_leadership(person, review.unit):
        raise PermissionDenied
    errors: dict = {}
    text = _text(text, "text", errors)
    existing = StudyReport.objects.filter(review=review, person=person).first()
    if existing is not None and existing.ratings.exists():
        errors["text"] = _("Colleagues have rated this report: it can no longer be changed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report, created = StudyReport.objects.update_or_create(
            review=review, person=person, defaults={"text": text, "submitted_at": timezone.now()}
        )
        record(
            actor=actor,
            code=Code.LEARNING_STUDY_REPORT_SAVED,
            obj=report,
            unit=review.unit,
            changes={"chars": len(text), "new": created},
        )
    return report


def rate_report(actor, *, report: StudyReport, score, comment: str = "") -> Rating:
    """A colleague's rating (评学): by another member of the same leadership group, once."""
    person = _own_person(actor)
    review = report.review
    if not in_leadership(person, review.unit):
        raise PermissionDenied
    errors: dict = {}
    if report.person_id == person.pk:
        errors["score"] = _("You cannot rate your own study report.")
    try:
        score = int(score)
    except (TypeError, ValueError):
        errors["score"] = _("Enter a score from 1 to 100.")
    else:
        if not 1 <= score <= 100:
            errors["score"] = _("Enter a score from 1 to 100.")
    comment = _text(comment, "comment", errors, required=False)
    if not errors and Rating.objects.filter(report=report, rater=person).exists():
        errors["score"] = _("You have already rated this report.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                report=report, rater=person, score=score, comment=comment
            )
            record(
                actor=actor,
                code=Code.LEARNING_STUDY_REPORT_RATED,
                obj=report,
                unit=review.unit,
                changes={"score": score},
            )
    except IntegrityError:  # a second rating racing the first
        raise ValidationError({"score": _("You have already rated this report.")}) from None
    return rating


# Talks (三谈) -----------------------------------------------------------------------------------


def create_talk_round(
    actor,
    *,
    unit: Unit,
    title: str,
    opens_on: date | None,
    due_on: date | None,
    campaign=None,
    selfcheck_round=None,
) -> TalkRound:
    _require(actor, LearningPerm.PLAN, unit)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > 120:
        errors["title"] = _("At most %(n)d characters.") % {"n": 120}
    _period(opens_on, due_on, errors, "due_on")
    if selfcheck_round is not None and not (
        unit.path.startswith(selfcheck_round.unit.path)
        or selfcheck_round.unit.path.startswith(unit.path)
    ):
        errors["selfcheck_round"] = _("That self-inspection round covers other units.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round_ = TalkRound.objects.create(
            unit=unit,
            unit_path=unit.path,
            title=title,
            opens_on=opens_on,
            due_on=due_on,
            campaign=campaign,
            selfcheck_round=selfcheck_round,
        )
        record(
            actor=actor,
            code=Code.LEARNING_TALK_ROUND_CREATED,
            obj=round_,
            unit=unit,
            changes={"title": title, "opens_on": opens_on, "due_on": due_on},
        )
    return round_


def save_talk(actor, *, round_: TalkRound, **texts: str) -> Talk:
    """The officer's own three talks (``mission``, ``shortcomings``, ``direction``), rewritable
    until the leader has commented."""
    person = _own_person(actor)
    if not person.unit.path.startswith(round_.unit_path):
        raise PermissionDenied
    errors: dict = {}
    values = {name: _text(texts.get(name), name, errors) for name in TALK_FIELDS}
    existing = Talk.objects.filter(round=round_, person=person).first()
    if existing is not None and existing.commented_at is not None:
        errors["mission"] = _("Your leader has commented: the talks can no longer be changed.")
    if errors:
        raise ValidationError(errors)
    return store_talk(actor, round_=round_, person=person, values=values)


def store_talk(actor, *, round_: TalkRound, person: Person, values: dict[str, str]) -> Talk:
    """Write a person's checked talks and audit it. ``save_talk`` is how an officer does it;
    the demo loader calls this directly for officers who have no login."""
    with transaction.atomic():
        talk, created = Talk.objects.update_or_create(
            round=round_,
            person=person,
            defaults={
                **values,
                "unit": person.unit,
                "unit_path": person.unit.path,
                "written_at": timezone.now(),
            },
        )
        record(
            actor=actor,
            code=Code.LEARNING_TALK_SAVED,
            obj=talk,
            unit=person.unit,
            changes={"round": round_.pk, "person": person.name, "new": created},
        )
    return talk


def comment_talk(actor, *, talk: Talk, comment: str) -> Talk:
    """The unit leader's reading and comment; the author is told in their inbox."""
    if not covers(actor, LearningPerm.LEAD, talk.unit_path):
        raise PermissionDenied
    person = person_of(actor)
    if person is not None and person.pk == talk.person_id:
        raise PermissionDenied
    errors: dict = {}
    comment = _text(comment, "comment", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        talk.comment = comment
        talk.commented_by = actor
        talk.commented_at = timezone.now()
        talk.save(update_fields=["comment", "commented_by", "commented_at"])
        record(
            actor=actor,
            code=Code.LEARNING_TALK_COMMENTED,
            obj=talk,
            unit=talk.unit,
            changes={"chars": len(comment)},
        )
        author = talk.person.user if talk.person.user_id else None
        if author is not None:
            send(
                recipient=author,
                kind="learning.talk_commented",
                title=_("Your leader commented on your three talks"),
                body=comment[:200],
                url=reverse("learning:talk_detail", args=[talk.pk]),
                dedupe_key=f"learning.talk_commented:{talk.pk}:{talk.commented_at.isoformat()}",
            )
    return talk


# Courses ---------------------------------------------------------------------------------------


def save_course(
    actor,
    *,
    course: Course | None = None,
    kind: str,
    title: str,
    unit: Unit,
    description: str = "",
    starts_on: date | None,
    ends_on: date | None,
    min_attendance=80,
    exam=None,
) -> Course:
    _require(actor, LearningPerm.PLAN, unit)
    if course is not None:
        _require(actor, LearningPerm.PLAN, course.unit)
    errors: dict = {}
    if kind not in CourseKind.values:
        errors["kind"] = _("Choose a kind of course.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > 120:
        errors["title"] = _("At most %(n)d characters.") % {"n": 120}
    _period(starts_on, ends_on, errors, "ends_on")
    try:
        min_attendance = int(min_attendance)
    except (TypeError, ValueError):
        min_attendance = -1
    if not 0 <= min_attendance <= 100:
        errors["min_attendance"] = _("A percentage from 0 to 100.")
    description = _text(description, "description", errors, required=False)
    if errors:
        raise ValidationError(errors)
    fields = {
        "kind": kind,
        "title": title,
        "unit": unit,
        "unit_path": unit.path,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "min_attendance": min_attendance,
        "exam": exam,
    }
    with transaction.atomic():
        if course is None:
            course = Course.objects.create(created_by=actor, **fields)
        else:
            for name, value in fields.items():
                setattr(course, name, value)
            course.save()
        record(
            actor=actor,
            code=Code.LEARNING_COURSE_SAVED,
            obj=course,
            unit=unit,
            changes={"title": title, "kind": kind, "min_attendance": min_attendance, "exam": exam},
        )
    return course


def enrol(
    actor, *, course: Course, persons: Iterable[Person] = (), unit: Unit | None = None
) -> int:
    """Enrol people by name, or every active person of a unit's subtree at once. Only people
    in the actor's planning scope; those already enrolled are left as they are."""
    _require(actor, LearningPerm.PLAN, course.unit)
    chosen = {person.pk: person for person in persons}
    if unit is not None:
        _require(actor, LearningPerm.PLAN, unit)
        for person in Person.objects.filter(
            scope.prefix_q("unit__path", unit.path), status=PersonStatus.ACTIVE
        ).select_related("unit"):
            chosen[person.pk] = person
    if not chosen:
        raise ValidationError({"persons": _("Choose people or a unit to enrol.")})
    outside = [p.name for p in chosen.values() if not covers(actor, LearningPerm.PLAN, p.unit.path)]
    if outside:
        raise PermissionDenied
    with transaction.atomic():
        already = set(
            Enrolment.objects.filter(course=course, person_id__in=chosen).values_list(
                "person_id", flat=True
            )
        )
        new = [
            Enrolment(course=course, person=person, unit_path=person.unit.path)
            for pk, person in chosen.items()
            if pk not in already
        ]
        Enrolment.objects.bulk_create(new)
        record(
            actor=actor,
            code=Code.LEARNING_ENROLLED,
            obj=course,
            unit=course.unit,
            changes={"enrolled": len(new), "unit": unit, "already": len(already)},
        )
    return len(new)


def add_lesson(
    actor, *, course: Course, title: str, kind: str, upload, position: int = 1
) -> Lesson:
    """An online lesson: a PDF or text to read, or an MP4 video to watch."""
    _require(actor, LearningPerm.PLAN, course.unit)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    if kind not in LessonKind.values:
        errors["kind"] = _("Choose whether the lesson is read or watched.")
    if upload is None:
        errors["file"] = _("Choose a file.")
    if errors:
        raise ValidationError(errors)
    facts = uploads.check(upload)
    wanted = (".mp4",) if kind == LessonKind.WATCH else (".pdf", ".txt")
    if uploads.extension(facts["name"]) not in wanted:
        raise ValidationError({"file": _("Use one of: %(types)s.") % {"types": " ".join(wanted)}})
    with transaction.atomic():
        lesson = Lesson(course=course, title=title, kind=kind, position=position, **facts)
        lesson.file.save(facts["name"], upload, save=False)
        lesson.save()
        record(
            actor=actor,
            code=Code.LEARNING_LESSON_ADDED,
            obj=lesson,
            unit=course.unit,
            changes={"title": title, "kind": kind, "file": facts["name"]},
        )
    return lesson


def record_progress(actor, *, lesson: Lesson, fraction) -> LessonProgress:
    """The lesson page's report of how far the enrolee has read or watched. Progress only
    grows; completion is audited once (the progress pings themselves are not: there are many)."""
    person = _own_person(actor)
    if not Enrolment.objects.filter(course_id=lesson.course_id, person=person).exists():
        raise PermissionDenied
    try:
        fraction = float(fraction)
    except (TypeError, ValueError):
        raise ValidationError({"fraction": _("Not a number.")}) from None
    if not 0 <= fraction <= 1:
        raise ValidationError({"fraction": _("Between 0 and 1.")})
    with transaction.atomic():
        progress, _created = LessonProgress.objects.select_for_update().get_or_create(
            lesson=lesson, person=person
        )
        progress.fraction = max(progress.fraction, fraction)
        progress.updated_at = timezone.now()
        newly_done = progress.completed_at is None and rules.lesson_done(
            lesson.kind, progress.fraction
        )
        if newly_done:
            progress.completed_at = progress.updated_at
            record(
                actor=actor,
                code=Code.LEARNING_LESSON_COMPLETED,
                obj=lesson,
                unit=person.unit,
                changes={"fraction": round(progress.fraction, 3)},
            )
        progress.save()
    return progress


def _certificate_number(course: Course, enrolment: Enrolment) -> str:
    return f"ZD{course.starts_on:%Y}-{course.pk:04d}-{enrolment.pk:06d}"


def issue_certificates(actor, *, course: Course) -> list[Enrolment]:
    """Number a certificate for every enrolee who has completed the course and has none yet."""
    from zhengdun.learning.queries import completion_of

    _require(actor, LearningPerm.PLAN, course.unit)
    enrolments = list(
        Enrolment.objects.filter(course=course, certificate_no="").select_related("person")
    )
    standing = completion_of(course, enrolments)
    issued = []
    now = timezone.now()
    with transaction.atomic():
        for enrolment in enrolments:
            if not standing[enrolment.pk].completed:
                continue
            enrolment.certificate_no = _certificate_number(course, enrolment)
            enrolment.certified_at = now
            enrolment.save(update_fields=["certificate_no", "certified_at"])
            record(
                actor=actor,
                code=Code.LEARNING_CERTIFICATE_ISSUED,
                obj=enrolment,
                unit=course.unit,
                changes={"number": enrolment.certificate_no, "person": enrolment.person.name},
                object_repr=f"{course.title} · {enrolment.person.name}",
            )
            issued.append(enrolment)
    return issued
