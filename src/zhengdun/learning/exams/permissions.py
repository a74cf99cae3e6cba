"""Who may see and do what with the question bank, exams and attempts.

The bank holds correct answers, so only question authors (the office and administrators, by
``exams.bank`` on a unit's subtree) see it. Exams are set by holders of ``exams.manage`` on the
organising unit; results are read by ``exams.results`` over the units the people sat in. An
attempt is its own person's alone: anyone else gets 404, whatever their role.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from zhengdun.core.ids import id_or_404
from zhengdun.learning.exams.models import Attempt, Exam, Question
from zhengdun.org import scope
from zhengdun.org.models import ancestor_paths


class ExamPerm:
    BANK = "exams.bank"  # see and write the questions of the units in scope; item statistics
    MANAGE = "exams.manage"  # set, publish and change exams organised by units in scope
    RESULTS = "exams.results"  # results of the people in the units in scope


def person_of(user):
    """The user's person record, or None (cached on the user by Django's reverse one-to-one)."""
    try:
        return user.person
    except Exception:  # RelatedObjectDoesNotExist, anonymous users
        return None


def questions_visible_to(user):
    """The bank in scope: questions of the units in the author's subtrees."""
    return Question.objects.filter(scope.within(user, ExamPerm.BANK, "unit_path"))


def get_question_for_user(user, pk, *, write: bool = False) -> Question:
    question = questions_visible_to(user).filter(pk=id_or_404(pk)).select_related("unit").first()
    if question is None:
        raise Http404
    return question


def bank_for_exam(exam: Exam):
    """The questions an exam may draw from: its unit's bank, its ancestors' banks (a city bank
    serves every county) and its subtree's banks."""
    path = exam.unit.path
    return Question.objects.filter(
        Q(unit_path__in=ancestor_paths(path)) | scope.prefix_q("unit_path", path),
        is_active=True,
    )


def exams_managed_by(user):
    return Exam.objects.filter(scope.within(user, ExamPerm.MANAGE, "unit_path"))


def may_manage(user, exam: Exam) -> bool:
    return scope.can(user, ExamPerm.MANAGE, exam.unit)


def may_read_results(user, exam: Exam) -> bool:
    """Whether a results reader may see the (published) exam: its organising unit lies in the
    reader's ``exams.results`` scope, or one of its audience units overlaps that scope (lies
    within it, or contains it: a county reader sees the county's people in a city-wide exam).
    Drafts are for managers only. Two queries at most."""
    if not exam.is_published or not scope.holds(user, ExamPerm.RESULTS):
        return False
    if scope.can(user, ExamPerm.RESULTS, exam.unit):
        return True
    roots = list(scope.roots(user, ExamPerm.RESULTS).values_list("path", flat=True))
    audience = exam.audience_units.values_list("path", flat=True)
    return any(a.startswith(r) or r.startswith(a) for a in audience for r in roots)


def may_see_results(user, exam: Exam) -> bool:
    """Results of an exam are for its managers and for the results readers whose scope it
    touches (``may_read_results``)."""
    return may_manage(user, exam) or may_read_results(user, exam)


def get_exam_for_user(user, pk, *, write: bool = False) -> Exam:
    """An exam the user manages, reads results of, or is in the audience of."""
    from zhengdun.learning.exams.queries import exams_for_person

    pk = id_or_404(pk)
    exam = Exam.objects.filter(pk=pk).select_related("unit").first()
    if exam is None:
        raise Http404
    if may_manage(user, exam):
        return exam
    if write:
        raise Http404
    if may_read_results(user, exam):
        return exam
    person = person_of(user)
    if person is not None and exams_for_person(person).filter(pk=pk).exists():
        return exam
    raise Http404


def get_attempt_for_user(user, pk) -> Attempt:
    """The user's own attempt; anybody else's is not found."""
    person = person_of(user)
    if person is None:
        raise Http404
    attempt = Attempt.objects.filter(pk=id_or_404(pk), person=person).select_related("exam").first()
    if attempt is None:
        raise Http404
    return attempt


def require(user, perm: str, unit) -> None:
    if not scope.can(user, perm, unit):
        raise PermissionDenied
