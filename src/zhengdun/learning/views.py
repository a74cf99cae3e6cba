"""Pages of study sessions, hours and rates, and the leadership's 述学/评学/考学. Thin: parse,
call a query or an action, render."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.core import uploads
from zhengdun.core.access import requires, signed_in
from zhengdun.core.forms import ActionErrors, run_action
from zhengdun.core.ids import parse_id
from zhengdun.core.pagination import paginate
from zhengdun.learning import actions, queries
from zhengdun.learning.forms import (
    NoteForm,
    RatesForm,
    RatingForm,
    ReportForm,
    ReviewForm,
    SessionForm,
)
from zhengdun.learning.models import AttendanceStatus, StudyNote, StudyReport, Subject
from zhengdun.learning.permissions import (
    LearningPerm,
    covers,
    get_review_for_user,
    get_session_file_for_user,
    get_session_for_user,
    get_study_report_for_user,
    in_leadership,
    notes_visible_to,
    person_of,
)
from zhengdun.org import scope


def _attempt(form, call):
    """``run_action``, with a refusal by the action shown on the form, not as an error page."""
    try:
        return run_action(form, call)
    except PermissionDenied:
        form.add_error(None, _("You may not do this for this unit."))
        return None


def plan_units(user):
    return scope.units(user, LearningPerm.PLAN).filter(is_active=True).order_by("path")


def view_units(user):
    return scope.units(user, LearningPerm.VIEW).filter(is_active=True).order_by("path")


@dataclass
class Pager:
    """One of several paginated lists on a page, each with its own query parameter (the shared
    ``includes/pagination.html`` knows only ``page``)."""

    page: Page
    param: str
    previous: str = ""
    next: str = ""


def pager(request, items, param: str, number=None, per_page: int | None = None) -> Pager:
    """``items`` paginated on ``param`` (one COUNT, one LIMIT/OFFSET query)."""
    paginator = Paginator(items, per_page or settings.ZHENGDUN_PAGE_SIZE)
    page = paginator.get_page(number if number is not None else request.GET.get(param))

    def link(to: int) -> str:
        query = request.GET.copy()
        query[param] = str(to)
        return f"{request.path}?{query.urlencode()}"

    return Pager(
        page=page,
        param=param,
        previous=link(page.previous_page_number()) if page.has_previous() else "",
        next=link(page.next_page_number()) if page.has_next() else "",
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _unit_filter(user, value: str | None):
    """The unit chosen in a filter, among those the user sees (404 otherwise)."""
    if not value:
        return None
    pk = parse_id(value)
    unit = view_units(user).filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise Http404
    return unit


# Sessions ---------------------------------------------------------------------------------------


@signed_in
def session_list(request):
    user = request.user
    unit = _unit_filter(user, request.GET.get("unit"))
    subject = request.GET.get("subject", "")
    subject = subject if subject in Subject.values else ""
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    page = paginate(
        request, queries.session_list(user, under=unit, subject=subject, start=start, end=end)
    )
    person = person_of(user)
    today = timezone.localdate()
    mine = (
        queries.person_tally(person, start=today.replace(month=1, day=1), end=today)
        if person is not None
        else None
    )
    return render(
        request,
        "learning/session_list.html",
        {
            "page": page,
            "unit": unit,
            "units": view_units(user) if scope.holds(user, LearningPerm.VIEW) else [],
            "subject": subject,
            "subjects": Subject.choices,
            "start": start,
            "end": end,
            "can_plan": scope.holds(user, LearningPerm.PLAN),
            "can_view": scope.holds(user, LearningPerm.VIEW),
            "mine": mine,
            "year": today.year,
        },
    )


@requires(LearningPerm.PLAN)
def session_create(request):
    user = request.user
    form = SessionForm(request.POST or None, request.FILES or None, units=plan_units(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            session = actions.save_session(
                user,
                unit=data["unit"],
                topic=data["topic"],
                subject=data["subject"],
                held_on=data["held_on"],
                hours=data["hours"],
                speaker=data["speaker"],
            )
            if data["files"]:
                actions.add_session_files(user, session=session, files=data["files"])
            return session

        from django.db import transaction

        with transaction.atomic():
            session = _attempt(form, create)
            if session is None:
                transaction.set_rollback(True)
        if session is not None:
            messages.success(request, _("Session saved. Now record the attendance."))
            return redirect("learning:session_detail", pk=session.pk)
    return render(request, "learning/session_form.html", {"form": form})


@signed_in
def session_detail(request, pk):
    return _session_page(request, get_session_for_user(request.user, pk))


def _sheet(request, session, marks: dict[str, str] | None):
    """The attendance sheet, a page at a time; ``marks`` (submitted, refused) are shown instead
    of the stored ones so that nothing ticked is lost."""
    number = request.POST.get("sheet") if marks is not None else None
    sheet = pager(request, queries.attendance_people(session), "sheet", number=number)
    stored = queries.marks_of(session, sheet.page.object_list)
    sheet.rows = []
    for person in sheet.page.object_list:
        status = stored.get(person.pk, "")
        if marks is not None:
            status = marks.get(str(person.pk), status)
        sheet.rows.append({"person": person, "status": status})
    return sheet


def _session_page(request, session, note_form=None, marks=None, errors=()):
    user = request.user
    can_plan = covers(user, LearningPerm.PLAN, session.unit_path)
    person = person_of(user)
    on_roll = person is not None and actions.roster(session).filter(pk=person.pk).exists()
    own_note = StudyNote.objects.filter(session=session, person=person).first() if on_roll else None
    notes = notes_visible_to(user).filter(session=session).select_related("person")
    if person is not None:
        notes = notes.exclude(person=person)
    sheet = _sheet(request, session, marks) if can_plan else None
    return render(
        request,
        "learning/session_detail.html",
        {
            "session": session,
            "can_plan": can_plan,
            "sheet": sheet,
            "rows": sheet.rows if sheet else [],
            "statuses": AttendanceStatus.choices,
            "files": session.files.order_by("id"),
            "on_roll": on_roll,
            "note_form": note_form or NoteForm(initial={"text": own_note.text if own_note else ""}),
            "notes": pager(request, notes.order_by("person__name", "id"), "notes"),
            "errors": list(errors),
        },
        status=400 if errors else 200,
    )


@require_POST
@requires(LearningPerm.PLAN)
def session_attendance(request, pk):
    user = request.user
    session = get_session_for_user(user, pk, write=True)
    marks = {
        key.removeprefix("mark-"): value
        for key, value in request.POST.items()
        if key.startswith("mark-") and value
    }
    errors = ActionErrors()
    counts = run_action(
        errors, lambda: actions.record_attendance(user, session=session, marks=marks)
    )
    if counts is None:
        # Every tick is kept: the sheet is shown again with the submitted marks and the errors.
        return _session_page(request, session, marks=marks, errors=errors.messages())
    messages.success(
        request,
        _("Attendance saved: %(present)d present, %(excused)d excused, %(absent)d absent.")
        % counts,
    )
    url = reverse("learning:session_detail", args=[session.pk])
    sheet = parse_id(request.POST.get("sheet"))
    return redirect(f"{url}?sheet={sheet}" if sheet and sheet > 1 else url)


@require_POST
@requires(LearningPerm.PLAN)
def session_files(request, pk):
    user = request.user
    session = get_session_for_user(user, pk, write=True)
    errors = ActionErrors()
    stored = run_action(
        errors,
        lambda: actions.add_session_files(
            user, session=session, files=request.FILES.getlist("files")
        ),
    )
    for message in errors.messages():
        messages.error(request, message)
    if stored:
        messages.success(request, _("Materials added."))
    return redirect("learning:session_detail", pk=session.pk)


@signed_in
def session_file(request, pk):
    return uploads.serve(get_session_file_for_user(request.user, pk))


@require_POST
@signed_in
def session_note(request, pk):
    user = request.user
    session = get_session_for_user(user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        note = _attempt(
            form, lambda: actions.save_note(user, session=session, text=form.cleaned_data["text"])
        )
        if note is not None:
            messages.success(request, _("Your notes are saved."))
            return redirect("learning:session_detail", pk=session.pk)
    # Nothing typed is lost: the page is shown again with the text and the errors.
    return _session_page(request, session, note_form=form)


# Hours and rates ---------------------------------------------------------------------------------


@requires(LearningPerm.VIEW)
def rates(request):
    user = request.user
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("start", (today.replace(day=1) - timedelta(days=1)).replace(day=1).isoformat())
    data.setdefault("end", today.isoformat())
    form = RatesForm(data, units=view_units(user))
    units, people_page = [], None
    if form.is_valid():
        under = form.cleaned_data["unit"]
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        units = queries.unit_rates(user, under=under, start=start, end=end)
        people_page = paginate(
            request, queries.person_rates(user, under=under, start=start, end=end)
        )
        people_page.rows = queries.with_people(people_page.object_list)
    return render(
        request,
        "learning/rates.html",
        {"form": form, "units": units, "page": people_page},
    )


# 述学 / 评学 / 考学 ------------------------------------------------------------------------------


@signed_in
def review_list(request):
    user = request.user
    return render(
        request,
        "learning/review_list.html",
        {
            "page": paginate(request, queries.review_list(user)),
            "can_plan": scope.holds(user, LearningPerm.PLAN),
        },
    )


def _exams_for(user):
    from zhengdun.learning.exams.models import Exam

    return Exam.objects.filter(scope.within(user, LearningPerm.VIEW, "unit_path")).order_by(
        "-opens_at"
    )


@requires(LearningPerm.PLAN)
def review_create(request):
    user = request.user
    form = ReviewForm(request.POST or None, units=plan_units(user), exams=_exams_for(user))
    if request.method == "POST" and form.is_valid():
        review = _attempt(form, lambda: actions.create_review(user, **form.cleaned_data))
        if review is not None:
            return redirect("learning:review_detail", pk=review.pk)
    return render(request, "learning/review_form.html", {"form": form})


@signed_in
def review_detail(request, pk):
    return _review_page(request, get_review_for_user(request.user, pk))


def _review_page(request, review, report_form=None, rating_form=None, rated_report=None):
    """The review's board; a refused report or rating is shown again as typed, with its errors
    (``rated_report`` is the report whose rating form was refused)."""
    user = request.user
    person = person_of(user)
    member = in_leadership(person, review.unit)
    lines = queries.review_board(review)
    own = next((line.report for line in lines if person and line.person.pk == person.pk), None)
    rated = set()
    if person is not None:
        rated = set(
            StudyReport.objects.filter(review=review, ratings__rater=person).values_list(
                "pk", flat=True
            )
        )
    for line in lines:
        line.may_rate = (
            member
            and line.report is not None
            and line.person.pk != getattr(person, "pk", None)
            and line.report.pk not in rated
        )
        line.rating_form = (
            rating_form
            if rating_form is not None
            and line.report is not None
            and line.report.pk == getattr(rated_report, "pk", None)
            else None
        )
    refused = report_form is not None or rating_form is not None
    return render(
        request,
        "learning/review_detail.html",
        {
            "review": review,
            "lines": lines,
            "member": member,
            "report_form": report_form or ReportForm(initial={"text": own.text if own else ""}),
            "rating_form": RatingForm(),
            "rating_errors": [m for errors in rating_form.errors.values() for m in errors]
            if rating_form is not None
            else [],
        },
        status=400 if refused else 200,
    )


@require_POST
@signed_in
def review_report(request, pk):
    user = request.user
    review = get_review_for_user(user, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        report = _attempt(
            form,
            lambda: actions.save_study_report(user, review=review, text=form.cleaned_data["text"]),
        )
        if report is not None:
            messages.success(request, _("Your study report is saved."))
            return redirect("learning:review_detail", pk=review.pk)
    # Nothing typed is lost: the report (up to 20,000 characters) comes back with its errors.
    return _review_page(request, review, report_form=form)


@require_POST
@signed_in
def report_rate(request, pk):
    user = request.user
    report = get_study_report_for_user(user, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        rating = _attempt(
            form, lambda: actions.rate_report(user, report=report, **form.cleaned_data)
        )
        if rating is not None:
            messages.success(request, _("Your rating is saved."))
            return redirect("learning:review_detail", pk=report.review_id)
    return _review_page(request, report.review, rating_form=form, rated_report=report)


@signed_in
def report_detail(request, pk):
    user = request.user
    report = get_study_report_for_user(user, pk)
    return render(
        request,
        "learning/report_detail.html",
        {"report": report, "review": report.review, "ratings": queries.ratings_of(report)},
    )
