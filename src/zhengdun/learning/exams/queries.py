"""Read side of exams: what other apps may ask (best results, pass), what pages list.

``best_results`` and ``passed`` are the public reads other apps use (a course's pass mark, a
leader's 考学 exam): they never expose answers, only graded attempts.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengdun.learning.exams.models import Attempt, AttemptState, Exam
from zhengdun.org.models import Person, ancestor_paths
from zhengdun.org.scope import prefix_q

GRADED = (AttemptState.SUBMITTED, AttemptState.EXPIRED)


def _person_id(person: Person | int) -> int:
    return person if isinstance(person, int) else person.pk


def best_results(persons: Iterable[Person | int], exam: Exam | int) -> dict[int, Attempt]:
    """Each person's best graded attempt at the exam (highest score, then earliest), keyed by
    person id; people with no graded attempt are absent. One query."""
    ids = [_person_id(p) for p in persons]
    exam_id = exam if isinstance(exam, int) else exam.pk
    best: dict[int, Attempt] = {}
    attempts = Attempt.objects.filter(
        exam_id=exam_id, person_id__in=ids, state__in=GRADED
    ).order_by("person_id", "-score", "submitted_at", "number")
    for attempt in attempts.defer("items", "answers", "marks"):
        best.setdefault(attempt.person_id, attempt)
    return best


def passed(person: Person | int, exam: Exam | int) -> bool:
    """Whether the person has passed the exam in any graded attempt (the best counts)."""
    exam_id = exam if isinstance(exam, int) else exam.pk
    return Attempt.objects.filter(
        exam_id=exam_id, person_id=_person_id(person), state__in=GRADED, passed=True
    ).exists()


def audience_q(person: Person, prefix: str = "") -> Q:
    """Exams whose audience includes the person: named, or in an audience unit's subtree."""
    paths = ancestor_paths(person.unit.path)
    return Q(**{f"{prefix}audience_persons": person}) | Q(
        **{f"{prefix}audience_units__path__in": paths}
    )


def exams_for_person(person: Person | None) -> QuerySet[Exam]:
    """Published exams the person is in the audience of (open, upcoming and past)."""
    if person is None:
        return Exam.objects.none()
    ids = Exam.objects.filter(audience_q(person), is_published=True).values("pk")
    return Exam.objects.filter(pk__in=ids).order_by("-opens_at", "-id")


def open_exams_for_person(person: Person | None, at=None) -> QuerySet[Exam]:
    at = at or timezone.now()
    return exams_for_person(person).filter(opens_at__lte=at, closes_at__gt=at)


def is_in_audience(person: Person, exam: Exam) -> bool:
    return exams_for_person(person).filter(pk=exam.pk).exists()


def audience_people(exam: Exam) -> QuerySet[Person]:
    """Everyone the exam is for (active people in the audience units' subtrees and the named
    people)."""
    condition = Q(pk__in=exam.audience_persons.values("pk"))
    for path in exam.audience_units.values_list("path", flat=True):
        condition |= prefix_q("unit__path", path)
    return Person.objects.filter(condition, status="active")


# An attempt as its person sees it -----------------------------------------------------------


def reveals_key(attempt: Attempt, at=None) -> bool:
    """Whether the attempt may show right/wrong, correct answers and explanations: only once
    it is graded and the exam has closed (while the exam is open, a graded attempt would
    hand the key to the person's next attempt, or to colleagues)."""
    at = at or timezone.now()
    return attempt.state in GRADED and attempt.exam.closes_at <= at


def paper(attempt: Attempt) -> list[dict]:
    """The attempt's questions in the order drawn, options in the attempt's order, with the
    answers saved. Correct answers, marks and explanations are added only once the attempt
    is graded and the exam has closed (``reveals_key``): before that nothing on the page or
    in the API tells right from wrong. One query."""
    from zhengdun.learning.exams.models import Question

    ids = [item["q"] for item in attempt.items]
    graded = reveals_key(attempt)
    fields = ["id", "text", "options"] + (["answer", "explanation"] if graded else [])
    questions = {q["id"]: q for q in Question.objects.filter(pk__in=ids).values(*fields)}
    sheet = []
    for number, item in enumerate(attempt.items, start=1):
        question = questions.get(item["q"], {"text": "", "options": []})
        options = question["options"] or []
        entry = {
            "id": item["q"],
            "number": number,
            "kind": item["k"],
            "points": item.get("p", 1),
            "text": question["text"],
            "options": [
                {"value": index, "label": chr(ord("A") + shown), "text": options[index]}
                for shown, index in enumerate(item.get("o") or [])
                if index < len(options)
            ],
            "answer": attempt.answers.get(str(item["q"])),
        }
        if graded:
            entry["correct"] = bool(attempt.marks.get(str(item["q"])))
            entry["key"] = question.get("answer")
            entry["key_text"] = key_text(item, question)
            entry["explanation"] = question.get("explanation", "")
        sheet.append(entry)
    return sheet


def key_text(item: dict, question: dict) -> str:
    """The correct answer as shown to the person after grading (letters in their order)."""
    from django.utils.translation import gettext as _

    key = question.get("answer") or []
    kind = item["k"]
    if kind in ("single", "multiple"):
        order = item.get("o") or []
        return "".join(sorted(chr(ord("A") + order.index(k)) for k in key if k in order))
    if kind == "true_false":
        return _("True") if key and key[0] else _("False")
    return " / ".join(str(k) for k in key)


# Results ------------------------------------------------------------------------------------


def people_in_results_scope(user, exam: Exam) -> QuerySet[Person]:
    """The exam's audience in the units whose results the user may read."""
    from zhengdun.learning.exams.permissions import ExamPerm
    from zhengdun.org import scope

    return audience_people(exam).filter(scope.within(user, ExamPerm.RESULTS, "unit__path"))


def unit_results(user, exam: Exam) -> list[dict]:
    """Per unit of the audience in scope: people, taken, not taken, passed, pass rate (of those
    who took it), average of the best percentages. Two queries."""
    people = people_in_results_scope(user, exam)
    units: dict[int, dict] = {}
    unit_of: dict[int, int] = {}
    for pid, uid, name, path in people.values_list("id", "unit_id", "unit__name", "unit__path"):
        unit_of[pid] = uid
        row = units.setdefault(
            uid,
            {"unit_id": uid, "name": name, "path": path, "audience": 0, "taken": 0, "passed": 0},
        )
        row["audience"] += 1
        row.setdefault("_sum", 0.0)
    best = Attempt.objects.filter(
        exam=exam, person_id__in=people.values("pk"), state__in=GRADED
    ).values_list("person_id", "percent", "passed")
    top: dict[int, tuple[float, bool]] = {}
    for pid, percent, ok in best:
        value, was_ok = top.get(pid, (0.0, False))
        top[pid] = (max(value, float(percent or 0)), was_ok or bool(ok))
    for pid, (value, ok) in top.items():
        row = units.get(unit_of.get(pid))
        if row is None:
            continue
        row["taken"] += 1
        row["passed"] += 1 if ok else 0
        row["_sum"] += value
    result = []
    for row in sorted(units.values(), key=lambda r: r["path"]):
        total = row.pop("_sum")
        row["not_taken"] = row["audience"] - row["taken"]
        row["pass_rate"] = round(100.0 * row["passed"] / row["taken"], 1) if row["taken"] else None
        row["average"] = round(total / row["taken"], 1) if row["taken"] else None
        result.append(row)
    return result


def totals(rows: list[dict]) -> dict:
    """The whole of ``unit_results`` in one row."""
    audience = sum(r["audience"] for r in rows)
    taken = sum(r["taken"] for r in rows)
    passed_ = sum(r["passed"] for r in rows)
    weighted = sum((r["average"] or 0) * r["taken"] for r in rows)
    return {
        "audience": audience,
        "taken": taken,
        "not_taken": audience - taken,
        "passed": passed_,
        "pass_rate": round(100.0 * passed_ / taken, 1) if taken else None,
        "average": round(weighted / taken, 1) if taken else None,
    }


def item_stats(exam: Exam) -> list[dict]:
    """Difficulty and discrimination of each question drawn in the exam, with its text (two
    queries). Every graded attempt counts (each one is a sitting of the items it drew)."""
    from zhengdun.learning.exams.grading import item_statistics
    from zhengdun.learning.exams.models import Question

    rows = Attempt.objects.filter(exam=exam, state__in=GRADED).values_list("marks", "percent")
    stats = item_statistics((marks, float(percent or 0)) for marks, percent in rows.iterator())
    texts = dict(
        Question.objects.filter(pk__in=[s.question_id for s in stats]).values_list("id", "text")
    )
    return [
        {
            "question_id": s.question_id,
            "text": texts.get(s.question_id, ""),
            "answered": s.answered,
            "correct": s.correct,
            "difficulty": s.difficulty,
            "discrimination": s.discrimination,
        }
        for s in stats
    ]


def my_attempts(person: Person | None, exams) -> dict[int, list[Attempt]]:
    """The person's attempts at the given exams, by exam id (one query)."""
    if person is None:
        return {}
    found: dict[int, list[Attempt]] = {}
    rows = Attempt.objects.filter(person=person, exam__in=list(exams)).defer("items", "marks")
    for attempt in rows.order_by("number"):
        found.setdefault(attempt.exam_id, []).append(attempt)
    return found


def questions_filtered(qs, *, kind: str = "", tag: int | None = None, text: str = ""):
    """Bank filters shared by page and API."""
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__id=tag)
    if text:
        qs = qs.filter(text__icontains=text)
    return qs


def attempt_counts(persons: Iterable[Person], exam: Exam) -> dict[int, int]:
    """How many attempts each person has made (one query)."""
    from django.db.models import Count

    rows = (
        Attempt.objects.filter(exam=exam, person_id__in=[p.pk for p in persons])
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["person_id"]: row["n"] for row in rows}


def may_see_exam_admin(user, exam: Exam) -> bool:
    """Whether the user sees an exam's settings and results links (managers, results
    readers)."""
    from zhengdun.learning.exams.permissions import may_see_results

    return may_see_results(user, exam)
