"""Pages of courses (night school, online school, lecture series): sessions, enrolment,
completion, certificates, and the online lessons with their tracked progress."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.core.access import requires, signed_in
from zhengdun.core.errors import messages_of
from zhengdun.core.pagination import paginate
from zhengdun.learning import actions, queries
from zhengdun.learning.certificate import certificate_pdf
from zhengdun.learning.forms import CourseForm, EnrolForm, LessonForm, SessionForm
from zhengdun.learning.media import serve_range
from zhengdun.learning.models import CourseKind, Lesson
from zhengdun.learning.permissions import (
    LearningPerm,
    covers,
    get_course_for_user,
    get_enrolment_for_user,
    get_lesson_for_user,
    person_of,
)
from zhengdun.learning.views import _attempt, _exams_for, plan_units
from zhengdun.org import scope
from zhengdun.org.models import Person


@signed_in
def course_list(request):
    user = request.user
    kind = request.GET.get("kind", "")
    kind = kind if kind in CourseKind.values else ""
    return render(
        request,
        "learning/course_list.html",
        {
            "page": paginate(request, queries.course_list(user, kind=kind)),
            "kind": kind,
            "kinds": CourseKind.choices,
            "can_plan": scope.holds(user, LearningPerm.PLAN),
        },
    )


@requires(LearningPerm.PLAN)
def course_create(request):
    user = request.user
    form = CourseForm(request.POST or None, units=plan_units(user), exams=_exams_for(user))
    if request.method == "POST" and form.is_valid():
        course = _attempt(form, lambda: actions.save_course(user, **form.cleaned_data))
        if course is not None:
            return redirect("learning:course_detail", pk=course.pk)
    return render(request, "learning/course_form.html", {"form": form})


@signed_in
def course_detail(request, pk):
    return _course_page(request, get_course_for_user(request.user, pk))


def _course_page(request, course, enrol_form=None):
    """The course with its enrolees; a refused enrolment is shown again as typed, with its
    errors."""
    user = request.user
    can_plan = covers(user, LearningPerm.PLAN, course.unit_path)
    page = paginate(request, queries.enrolments_in_view(user, course))
    standing = queries.completion_of(course, page.object_list)
    rows = [(enrolment, standing[enrolment.pk]) for enrolment in page.object_list]
    lessons = list(Lesson.objects.filter(course=course))
    progress = queries.lesson_progress(lessons, person_of(user))
    for lesson in lessons:
        lesson.mine = progress.get(lesson.pk)
    if can_plan and enrol_form is None:
        enrol_form = EnrolForm(units=plan_units(user))
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            "can_plan": can_plan,
            "page": page,
            "rows": rows,
            "sessions": queries.course_sessions(course),
            "lessons": lessons,
            "enrol_form": enrol_form if can_plan else None,
            "enrol_open": enrol_form is not None and enrol_form.is_bound,
            "lesson_form": LessonForm() if can_plan else None,
        },
        status=400 if enrol_form is not None and enrol_form.is_bound else 200,
    )


@requires(LearningPerm.PLAN)
def course_session_create(request, pk):
    user = request.user
    course = get_course_for_user(user, pk, write=True)
    form = SessionForm(
        request.POST or None, request.FILES or None, units=plan_units(user), course=course
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            session = _attempt(
                form,
                lambda: actions.save_session(
                    user,
                    course=course,
                    topic=data["topic"],
                    subject=data["subject"],
                    held_on=data["held_on"],
                    hours=data["hours"],
                    speaker=data["speaker"],
                ),
            )
            stored = session is not None and (
                not data["files"]
                or _attempt(
                    form,
                    lambda: actions.add_session_files(user, session=session, files=data["files"]),
                )
                is not None
            )
            if not stored:
                transaction.set_rollback(True)
                session = None
        if session is not None:
            return redirect("learning:session_detail", pk=session.pk)
    return render(request, "learning/session_form.html", {"form": form, "course": course})


def _people_by_number(user, text: str) -> tuple[list[Person], list[str]]:
    """The people with these police numbers among those the user may plan for, and the numbers
    not found there. A number outside the user's units is "not found", exactly like one that
    does not exist, so that the form tells nothing about other units' people."""
    numbers = [token for token in text.replace("，", ",").replace(",", " ").split() if token]
    found = list(
        Person.objects.filter(
            scope.within(user, LearningPerm.PLAN, "unit__path"), police_number__in=numbers
        ).select_related("unit")
    )
    unknown = sorted(set(numbers) - {person.police_number for person in found})
    return found, unknown


@require_POST
@requires(LearningPerm.PLAN)
def course_enrol(request, pk):
    user = request.user
    course = get_course_for_user(user, pk, write=True)
    form = EnrolForm(request.POST, units=plan_units(user))
    if form.is_valid():
        persons, unknown = _people_by_number(user, form.cleaned_data["people"])
        if unknown:
            form.add_error(
                "people",
                _("No one in your units has these police numbers: %(numbers)s.")
                % {"numbers": "、".join(unknown)},
            )
        else:
            count = _attempt(
                form,
                lambda: actions.enrol(
                    user, course=course, persons=persons, unit=form.cleaned_data["unit"]
                ),
            )
            if count is not None:
                messages.success(request, _("%(count)d people enrolled.") % {"count": count})
                return redirect("learning:course_detail", pk=course.pk)
    # Nothing typed is lost: the police numbers come back with the errors.
    return _course_page(request, course, enrol_form=form)


@require_POST
@requires(LearningPerm.PLAN)
def lesson_create(request, pk):
    user = request.user
    course = get_course_for_user(user, pk, write=True)
    form = LessonForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        lesson = _attempt(
            form,
            lambda: actions.add_lesson(
                user,
                course=course,
                title=data["title"],
                kind=data["kind"],
                upload=data["file"],
                position=data["position"],
            ),
        )
        if lesson is not None:
            messages.success(request, _("Lesson added."))
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("learning:course_detail", pk=course.pk)


@require_POST
@requires(LearningPerm.PLAN)
def course_certificates(request, pk):
    user = request.user
    course = get_course_for_user(user, pk, write=True)
    issued = actions.issue_certificates(user, course=course)
    messages.success(request, _("%(count)d certificates issued.") % {"count": len(issued)})
    return redirect("learning:course_detail", pk=course.pk)


@signed_in
def certificate(request, pk):
    enrolment = get_enrolment_for_user(request.user, pk)
    if not enrolment.certificate_no:
        raise Http404
    response = HttpResponse(certificate_pdf(enrolment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{enrolment.certificate_no}.pdf"'
    return response


@signed_in
def lesson_detail(request, pk):
    user = request.user
    lesson = get_lesson_for_user(user, pk)
    person = person_of(user)
    progress = queries.lesson_progress([lesson], person).get(lesson.pk)
    enrolled = person is not None and lesson.course.enrolments.filter(person=person).exists()
    text = ""
    if lesson.content_type.startswith("text/"):
        try:
            with lesson.file.open("rb") as handle:
                text = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:  # the stored file is gone: the lesson cannot be shown
            raise Http404 from None
    return render(
        request,
        "learning/lesson_detail.html",
        {
            "lesson": lesson,
            "course": lesson.course,
            "progress": progress,
            "enrolled": enrolled,
            "text": text,
        },
    )


@signed_in
def lesson_file(request, pk):
    """The lesson's file, inline, with range requests (a video plays from any point)."""
    return serve_range(request, get_lesson_for_user(request.user, pk))


@require_POST
@signed_in
def lesson_progress(request, pk):
    """Posted by the lesson page's script: how far the enrolee has read or watched."""
    user = request.user
    lesson = get_lesson_for_user(user, pk)
    try:
        fraction = json.loads(request.body or b"{}").get("fraction")
    except (ValueError, AttributeError):
        return JsonResponse({"error": _("Malformed request.")}, status=400)
    try:
        progress = actions.record_progress(user, lesson=lesson, fraction=fraction)
    except PermissionDenied:
        return JsonResponse({"error": _("You are not enrolled in this course.")}, status=403)
    except ValidationError as error:
        return JsonResponse({"error": messages_of(error)}, status=400)
    return JsonResponse(
        {"fraction": progress.fraction, "completed": progress.completed_at is not None}
    )
