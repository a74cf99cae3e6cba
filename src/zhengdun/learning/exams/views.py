"""Pages for people taking exams: their exams, an exam's start page, the attempt itself.

The attempt page works without JavaScript (a plain form: save, hand in); with it, every change
is autosaved through the API and a countdown runs from the server's deadline. Before the
attempt is graded, nothing on the page tells right from wrong.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.core.access import signed_in
from zhengdun.core.pagination import paginate
from zhengdun.learning.exams import actions, queries
from zhengdun.learning.exams.models import AttemptState, QuestionKind
from zhengdun.learning.exams.permissions import get_attempt_for_user, get_exam_for_user, person_of


@signed_in
def my_exams(request):
    person = person_of(request.user)
    page = paginate(request, queries.exams_for_person(person).select_related("unit"))
    exams = list(page.object_list)
    mine = queries.my_attempts(person, exams)
    now = timezone.now()
    rows = [_exam_row(exam, mine.get(exam.pk, []), now) for exam in exams]
    return render(
        request,
        "exams/my_exams.html",
        {
            "page": page,
            "open_rows": [r for r in rows if r["state"] == "open"],
            "other_rows": [r for r in rows if r["state"] != "open"],
        },
    )


def _exam_row(exam, attempts, now) -> dict:
    graded = [a for a in attempts if a.state in queries.GRADED]
    best = max(graded, key=lambda a: a.percent or 0, default=None)
    current = next((a for a in attempts if a.is_open and a.deadline > now), None)
    if exam.opens_at > now:
        state = "upcoming"
    elif exam.closes_at <= now:
        state = "closed"
    else:
        state = "open"
    return {
        "exam": exam,
        "state": state,
        "best": best,
        "current": current,
        "used": len(attempts),
        "can_start": state == "open" and (current or len(attempts) < exam.attempts_allowed),
    }


def _close_if_expired(attempt):
    if attempt.is_open and attempt.deadline <= timezone.now():
        actions.close_attempt(attempt)
        attempt.refresh_from_db()
    return attempt


@signed_in
def exam_detail(request, pk):
    exam = get_exam_for_user(request.user, pk)
    person = person_of(request.user)
    in_audience = person is not None and queries.is_in_audience(person, exam)
    if not in_audience and not queries.may_see_exam_admin(request.user, exam):
        raise Http404
    attempts = queries.my_attempts(person, [exam]).get(exam.pk, [])
    for attempt in attempts:
        _close_if_expired(attempt)
    row = _exam_row(exam, attempts, timezone.now())
    return render(
        request,
        "exams/exam_detail.html",
        {
            "exam": exam,
            "row": row,
            "attempts": attempts,
            "in_audience": in_audience,
            "rules": list(exam.rules.prefetch_related("tags")),
            "manage": queries.may_see_exam_admin(request.user, exam),
        },
    )


@signed_in
@require_POST
def exam_start(request, pk):
    exam = get_exam_for_user(request.user, pk)
    try:
        attempt = actions.start_attempt(request.user, exam=exam)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("exams:exam_detail", pk=exam.pk)
    return redirect("exams:attempt", pk=attempt.pk)


def _form_value(kind: str, text: str):
    """A plain-form string in the API's typed form (ints for options, bool for true/false);
    anything unparseable is passed on as it is, for the action to refuse with a message."""
    text = text.strip()
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and text.isascii() and text.isdigit():
        return int(text)
    if kind == QuestionKind.TRUE_FALSE and text in ("true", "false"):
        return text == "true"
    return text


def _posted_answers(request, attempt) -> dict:
    """Answers from the plain form: ``q<id>`` fields (several values for multiple choice)."""
    answers = {}
    for item in attempt.items:
        name = f"q{item['q']}"
        if item["k"] == QuestionKind.MULTIPLE:
            values = request.POST.getlist(name)
            if values or f"seen{item['q']}" in request.POST:
                answers[str(item["q"])] = [_form_value(item["k"], v) for v in values]
        elif name in request.POST:
            answers[str(item["q"])] = _form_value(item["k"], request.POST[name])
    return answers


@signed_in
def attempt_view(request, pk):
    attempt = _close_if_expired(get_attempt_for_user(request.user, pk))
    return _render_attempt(request, attempt)


def _render_attempt(
    request, attempt, error: str = "", status: int = 200, posted: dict | None = None, refused=None
):
    """The attempt page; when refusing a post, the posted values are shown again (so nothing
    typed is lost) and each refused answer carries its message."""
    paper = queries.paper(attempt)
    refused = refused or {}
    for entry in paper:
        key = str(entry["id"])
        if posted and key in posted:
            entry["answer"] = posted[key]
        entry["error"] = refused.get(key, "")
    return render(
        request,
        "exams/attempt.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "paper": paper,
            "graded": attempt.state != AttemptState.IN_PROGRESS,
            "reveal": queries.reveals_key(attempt),
            "seconds_left": attempt.seconds_left() if attempt.is_open else 0,
            "error": error,
        },
        status=status,
    )


def _refusal(request, attempt, error: ValidationError, answers: dict):
    attempt.refresh_from_db()
    refused = getattr(error, "refused", None)
    return _render_attempt(
        request, attempt, error.messages[0], status=400, posted=answers, refused=refused
    )


@signed_in
@require_POST
def attempt_save(request, pk):
    """The no-JavaScript save (and hand-in, with ``submit`` in the form; ``timeup`` when the
    countdown handed in: then answers that do not fit are dropped rather than block it)."""
    attempt = get_attempt_for_user(request.user, pk)
    answers = _posted_answers(request, attempt)
    if "submit" in request.POST:
        try:
            actions.submit_attempt(
                request.user, attempt, answers=answers, time_up="timeup" in request.POST
            )
        except actions.AttemptClosed as closed:
            messages.error(request, closed.messages[0])
            return redirect("exams:attempt", pk=attempt.pk)
        except ValidationError as error:
            return _refusal(request, attempt, error, answers)
        messages.success(request, _("Your answers have been handed in and graded."))
        return redirect("exams:attempt", pk=attempt.pk)
    try:
        actions.save_answers(request.user, attempt.pk, answers)
    except actions.AttemptClosed as closed:
        messages.error(request, closed.messages[0])
        return redirect("exams:attempt", pk=attempt.pk)
    except ValidationError as error:
        return _refusal(request, attempt, error, answers)
    messages.success(request, _("Your answers have been saved."))
    return redirect("exams:attempt", pk=attempt.pk)
