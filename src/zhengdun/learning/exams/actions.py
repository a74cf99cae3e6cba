"""Every change to the bank, exams and attempts. Each action checks permission, validates,
writes and audits in one transaction.

Autosaving answers is the hot path (2,000 people at once): it reads the attempt once and writes
it with one conditional UPDATE (compare-and-swap on ``revision``), and is not audited per save;
starting and submitting are.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.learning.exams.draw import Slots, match, shortfalls
from zhengdun.learning.exams.grading import grade, passes
from zhengdun.learning.exams.models import (
    CHOICE_KINDS,
    Attempt,
    AttemptState,
    DrawRule,
    Exam,
    Question,
    QuestionKind,
    Tag,
    TagKind,
)
from zhengdun.learning.exams.permissions import ExamPerm, bank_for_exam, person_of, require
from zhengdun.org.models import Person, Unit

MAX_OPTIONS = 8
MAX_FILL_LENGTH = 200
TRUE_WORDS = {"true", "t", "yes", "y", "1", "对", "正确", "是", "√", "✓"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "错", "错误", "否", "×", "✗"}


# Questions ----------------------------------------------------------------------------------


@dataclass
class QuestionData:
    """A question as entered (form, API or Excel row), before validation."""

    kind: str
    text: str
    options: list[str] = field(default_factory=list)
    answer: list = field(default_factory=list)
    explanation: str = ""
    tags: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)


def letters(count: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(count)]


def parse_letters(text: str, count: int) -> list[int] | None:
    """'A,C' / 'AC' / 'a c' -> [0, 2]; None if a letter is not an option."""
    picked = [c for c in str(text).upper() if c.isalpha()]
    indexes = sorted({ord(c) - ord("A") for c in picked})
    if not indexes or any(i < 0 or i >= count for i in indexes):
        return None
    return indexes


def parse_true_false(text) -> bool | None:
    if isinstance(text, bool):
        return text
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def clean_question(data: QuestionData) -> QuestionData:
    """Validate and normalise; raises ValidationError with a message per field."""
    errors: dict[str, str] = {}
    text = (data.text or "").strip()
    if not text:
        errors["text"] = _("Enter the question.")
    if data.kind not in QuestionKind.values:
        errors["kind"] = _("Choose a question type.")
    options = [str(o).strip() for o in data.options if str(o).strip()]
    answer = list(data.answer)
    if data.kind in CHOICE_KINDS:
        if len(options) < 2:
            errors["options"] = _("Give at least two options.")
        elif len(options) > MAX_OPTIONS:
            errors["options"] = _("At most %(n)d options.") % {"n": MAX_OPTIONS}
        elif len(set(options)) != len(options):
            errors["options"] = _("Two options have the same text.")
        ok = all(isinstance(a, int) and not isinstance(a, bool) for a in answer)
        answer = sorted(set(answer)) if ok else []
        if not ok or not answer or any(a < 0 or a >= len(options) for a in answer):
            errors["answer"] = _("Mark the correct option(s) among those given.")
        elif data.kind == QuestionKind.SINGLE and len(answer) != 1:
            errors["answer"] = _("A single-choice question has exactly one correct option.")
        elif data.kind == QuestionKind.MULTIPLE and len(answer) < 2:
            errors["answer"] = _("A multiple-choice question has at least two correct options.")
    elif data.kind == QuestionKind.TRUE_FALSE:
        options = []
        value = parse_true_false(answer[0]) if len(answer) == 1 else None
        if value is None:
            errors["answer"] = _("Say whether the statement is true or false.")
        answer = [value]
    elif data.kind == QuestionKind.FILL:
        options = []
        answer = [str(a).strip() for a in answer if str(a).strip()]
        if not answer:
            errors["answer"] = _("Give at least one accepted answer.")
        elif any(len(a) > MAX_FILL_LENGTH for a in answer):
            errors["answer"] = _("An accepted answer is too long.")
    tags = []
    for kind, name in data.tags:
        name = (name or "").strip()
        if not name:
            continue
        if kind not in TagKind.values:
            errors["tags"] = _("Unknown tag kind: %(kind)s") % {"kind": kind}
        elif len(name) > 60:
            errors["tags"] = _("A tag is longer than 60 characters.")
        elif (kind, name) not in tags:
            tags.append((kind, name))
    if errors:
        raise ValidationError(errors)
    return QuestionData(data.kind, text, options, answer, (data.explanation or "").strip(), tags)


def tags_for(pairs: list[tuple[str, str]]) -> list[Tag]:
    """The tags named, created when new (two queries for any number)."""
    if not pairs:
        return []
    existing = {
        (t.kind, t.name): t
        for t in Tag.objects.filter(name__in=[n for _k, n in pairs])
        if (t.kind, t.name) in pairs
    }
    missing = [Tag(kind=k, name=n) for k, n in pairs if (k, n) not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            (t.kind, t.name): t
            for t in Tag.objects.filter(name__in=[n for _k, n in pairs])
            if (t.kind, t.name) in pairs
        }
    return [existing[p] for p in pairs]


def _snapshot(question: Question, tags: list[Tag]) -> dict:
    return {
        "kind": question.kind,
        "text": question.text,
        "options": question.options,
        "answer": question.answer,
        "explanation": question.explanation,
        "is_active": question.is_active,
        "tags": [f"{t.kind}:{t.name}" for t in tags],
    }


def create_question(actor, *, unit: Unit, data: QuestionData) -> Question:
    require(actor, ExamPerm.BANK, unit)
    data = clean_question(data)
    with transaction.atomic():
        question = Question.objects.create(
            unit=unit,
            unit_path=unit.path,
            kind=data.kind,
            text=data.text,
            options=data.options,
            answer=data.answer,
            explanation=data.explanation,
            created_by=actor,
        )
        tags = tags_for(data.tags)
        question.tags.set(tags)
        record(
            actor=actor,
            code=Code.EXAMS_QUESTION_CREATED,
            obj=question,
            unit=unit,
            changes=_snapshot(question, tags),
        )
    return question


def in_open_attempt(question_id: int) -> bool:
    """Whether the question was drawn in an attempt still in progress (its draw, option order
    and grading rely on the question's type, options and key as they were). Reads only the
    attempts in progress, in chunks: edits are rare, exams are not."""
    rows = Attempt.objects.filter(state=AttemptState.IN_PROGRESS).values_list("items", flat=True)
    return any(
        any(item["q"] == question_id for item in items) for items in rows.iterator(chunk_size=500)
    )


def update_question(
    actor, question: Question, *, data: QuestionData, is_active: bool = True, version: int
) -> Question:
    """Change a question. Attempts already drawn keep their draw; its type, options and key
    cannot change while an attempt in progress holds it (``in_open_attempt``)."""
    require(actor, ExamPerm.BANK, question.unit)
    data = clean_question(data)
    with transaction.atomic():
        keyed = (data.kind, data.options, data.answer)
        if keyed != (question.kind, question.options, question.answer) and in_open_attempt(
            question.pk
        ):
            raise ValidationError(
                _(
                    "Someone is taking an exam with this question right now: its type, "
                    "options and correct answer cannot change until every attempt in "
                    "progress is handed in. The text and explanation may still change."
                )
            )
        before = _snapshot(question, list(question.tags.all()))
        changed = Question.objects.filter(pk=question.pk, version=version).update(
            kind=data.kind,
            text=data.text,
            options=data.options,
            answer=data.answer,
            explanation=data.explanation,
            is_active=is_active,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not changed:
            raise ValidationError(
                _("Someone else changed this question meanwhile. Reload it and try again.")
            )
        question.refresh_from_db()
        tags = tags_for(data.tags)
        question.tags.set(tags)
        after = _snapshot(question, tags)
        record(
            actor=actor,
            code=Code.EXAMS_QUESTION_UPDATED,
            obj=question,
            unit=question.unit,
            changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        )
    return question


def import_questions(actor, *, unit: Unit, rows: list[QuestionData]) -> list[Question]:
    """Create many questions at once (the Excel import, after every row validated)."""
    require(actor, ExamPerm.BANK, unit)
    created = []
    with transaction.atomic():
        for data in rows:
            data = clean_question(data)
            question = Question.objects.create(
                unit=unit,
                unit_path=unit.path,
                kind=data.kind,
                text=data.text,
                options=data.options,
                answer=data.answer,
                explanation=data.explanation,
                created_by=actor,
            )
            question.tags.set(tags_for(data.tags))
            created.append(question)
        record(
            actor=actor,
            code=Code.EXAMS_QUESTIONS_IMPORTED,
            obj=None,
            unit=unit,
            object_repr=unit.name,
            changes={"count": len(created)},
        )
    return created


# Exams --------------------------------------------------------------------------------------


@dataclass
class RuleData:
    kind: str
    count: int
    points: int = 1
    tags: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ExamData:
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit: int = 60
    pass_mark: int = 60
    attempts_allowed: int = 1
    description: str = ""
    audience_units: list[Unit] = field(default_factory=list)
    audience_persons: list[Person] = field(default_factory=list)
    rules: list[RuleData] = field(default_factory=list)


def clean_exam(data: ExamData) -> ExamData:
    errors: dict[str, str] = {}
    data.title = (data.title or "").strip()
    if not data.title:
        errors["title"] = _("Enter a title.")
    elif len(data.title) > 120:
        errors["title"] = _("At most 120 characters.")
    if not data.opens_at or not data.closes_at:
        errors["closes_at"] = _("Give when the exam opens and closes.")
    elif data.closes_at <= data.opens_at:
        errors["closes_at"] = _("The exam must close after it opens.")
    if not 1 <= data.time_limit <= 600:
        errors["time_limit"] = _("Between 1 and 600 minutes.")
    if not 0 <= data.pass_mark <= 100:
        errors["pass_mark"] = _("A percentage between 0 and 100.")
    if not 1 <= data.attempts_allowed <= 20:
        errors["attempts_allowed"] = _("Between 1 and 20 attempts.")
    if not data.audience_units and not data.audience_persons:
        errors["audience_units"] = _("Choose the units or people who take the exam.")
    if not data.rules:
        errors["rules"] = _("Add at least one draw rule.")
    for rule in data.rules:
        if rule.kind not in QuestionKind.values:
            errors["rules"] = _("Choose a question type in every rule.")
        elif not 1 <= rule.count <= 200 or not 1 <= rule.points <= 100:
            errors["rules"] = _("Each rule draws 1 to 200 questions worth 1 to 100 points.")
    if errors:
        raise ValidationError(errors)
    return data


def _candidates(exam: Exam, rules: list[DrawRule]) -> list[Slots]:
    """Each rule's eligible questions in the exam's bank (three queries: the bank with its
    tags, whatever the number of rules)."""
    bank = bank_for_exam(exam)
    kinds = dict(bank.values_list("id", "kind"))
    tags: dict[int, set[int]] = {qid: set() for qid in kinds}
    through = Question.tags.through.objects.filter(question_id__in=list(kinds))
    for qid, tid in through.values_list("question_id", "tag_id"):
        tags[qid].add(tid)
    slots = []
    for index, rule in enumerate(rules):
        wanted = {t.pk for t in rule.tags.all()}
        cands = sorted(q for q, k in kinds.items() if k == rule.kind and wanted <= tags[q])
        slots.append(Slots(index=index, count=rule.count, candidates=cands))
    return slots


def check_bank(exam: Exam) -> list[str]:
    """Why the bank cannot satisfy the exam's rules (empty when it can)."""
    rules = list(exam.rules.prefetch_related("tags"))
    if not rules:
        return [_("The exam has no draw rules.")]
    slots = _candidates(exam, rules)
    problems = []
    for index, available in shortfalls(slots).items():
        rule = rules[index]
        problems.append(
            _("Rule %(n)d asks for %(count)d %(kind)s questions%(tags)s; the bank has %(have)d.")
            % {
                "n": index + 1,
                "count": rule.count,
                "kind": rule.get_kind_display(),
                "tags": (
                    _(" tagged %(tags)s") % {"tags": "、".join(t.name for t in rule.tags.all())}
                    if rule.tags.all()
                    else ""
                ),
                "have": available,
            }
        )
    if not problems and match(slots) is None:
        problems.append(
            _(
                "The rules overlap: together they need more distinct questions than the bank "
                "has that fit them. Lower a count or loosen the tags."
            )
        )
    return problems


def _save_rules(exam: Exam, rules: list[RuleData]) -> None:
    exam.rules.all().delete()
    for position, data in enumerate(rules):
        rule = DrawRule.objects.create(
            exam=exam, position=position, kind=data.kind, count=data.count, points=data.points
        )
        rule.tags.set(tags_for(data.tags))


def _exam_snapshot(exam: Exam) -> dict:
    return {
        "title": exam.title,
        "opens_at": exam.opens_at,
        "closes_at": exam.closes_at,
        "time_limit": exam.time_limit,
        "pass_mark": exam.pass_mark,
        "attempts_allowed": exam.attempts_allowed,
        "audience_units": sorted(u.name for u in exam.audience_units.all()),
        "audience_persons": sorted(p.name for p in exam.audience_persons.all()),
        "rules": [
            f"{r.kind}×{r.count}×{r.points} {','.join(t.name for t in r.tags.all())}"
            for r in exam.rules.prefetch_related("tags")
        ],
    }


def create_exam(actor, *, unit: Unit, data: ExamData, publish: bool = False) -> Exam:
    """A new exam (a draft unless ``publish``: publishing checks the bank first)."""
    require(actor, ExamPerm.MANAGE, unit)
    data = clean_exam(data)
    with transaction.atomic():
        exam = Exam.objects.create(
            unit=unit,
            unit_path=unit.path,
            title=data.title,
            description=data.description,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            time_limit=data.time_limit,
            pass_mark=data.pass_mark,
            attempts_allowed=data.attempts_allowed,
            created_by=actor,
        )
        exam.audience_units.set(data.audience_units)
        exam.audience_persons.set(data.audience_persons)
        _save_rules(exam, data.rules)
        problems = check_bank(exam)
        if problems and publish:
            raise ValidationError({"rules": problems})
        record(
            actor=actor,
            code=Code.EXAMS_EXAM_CREATED,
            obj=exam,
            unit=unit,
            changes=_exam_snapshot(exam),
        )
        if publish:
            _publish(actor, exam)
    return exam


def update_exam(actor, exam: Exam, *, data: ExamData, version: int) -> Exam:
    """Change an exam. Once someone has started it, the draw rules stay as they were (their
    draws were made by them); the rest may change."""
    require(actor, ExamPerm.MANAGE, exam.unit)
    data = clean_exam(data)
    with transaction.atomic():
        before = _exam_snapshot(exam)
        changed = Exam.objects.filter(pk=exam.pk, version=version).update(
            title=data.title,
            description=data.description,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            time_limit=data.time_limit,
            pass_mark=data.pass_mark,
            attempts_allowed=data.attempts_allowed,
            version=F("version") + 1,
        )
        if not changed:
            raise ValidationError(
                _("Someone else changed this exam meanwhile. Reload it and try again.")
            )
        shortened = exam.closes_at > data.closes_at or exam.time_limit > data.time_limit
        exam.refresh_from_db()
        cut = _cut_deadlines(exam) if shortened else 0
        exam.audience_units.set(data.audience_units)
        exam.audience_persons.set(data.audience_persons)
        started = Attempt.objects.filter(exam=exam).exists()
        if not started:
            _save_rules(exam, data.rules)
        if exam.is_published:
            problems = check_bank(exam)
            if problems:
                raise ValidationError({"rules": problems})
        after = _exam_snapshot(exam)
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if cut:
            changes["attempt_deadlines_cut"] = cut
        record(actor=actor, code=Code.EXAMS_EXAM_UPDATED, obj=exam, unit=exam.unit, changes=changes)
    return exam


def _cut_deadlines(exam: Exam) -> int:
    """Bring the deadlines of the exam's attempts in progress within its (earlier) close and
    (shorter) time limit: min(deadline, closes_at, started_at + time_limit). Called inside the
    exam's update transaction; returns how many attempts changed."""
    limit = timedelta(minutes=exam.time_limit)
    changed = []
    rows = Attempt.objects.filter(exam=exam, state=AttemptState.IN_PROGRESS)
    for attempt in rows.only("id", "started_at", "deadline"):
        deadline = min(attempt.deadline, exam.closes_at, attempt.started_at + limit)
        if deadline < attempt.deadline:
            attempt.deadline = deadline
            changed.append(attempt)
    Attempt.objects.bulk_update(changed, ["deadline"], batch_size=500)
    return len(changed)


def _publish(actor, exam: Exam) -> None:
    Exam.objects.filter(pk=exam.pk).update(is_published=True, version=F("version") + 1)
    exam.refresh_from_db()
    record(actor=actor, code=Code.EXAMS_EXAM_PUBLISHED, obj=exam, unit=exam.unit, changes={})


def publish_exam(actor, exam: Exam) -> Exam:
    """Open the exam to its audience, once the bank is known to satisfy its rules."""
    require(actor, ExamPerm.MANAGE, exam.unit)
    if exam.is_published:
        return exam
    problems = check_bank(exam)
    if problems:
        raise ValidationError({"rules": problems})
    with transaction.atomic():
        _publish(actor, exam)
    return exam


# Attempts -----------------------------------------------------------------------------------


class AttemptClosed(ValidationError):
    """Raised when answers arrive after the attempt's deadline or submission."""


def draw_items(exam: Exam, rng: random.Random | None = None) -> list[dict]:
    """One person's questions: counts per rule, no question twice, tags respected, order and
    options shuffled."""
    rng = rng or random.SystemRandom()
    rules = list(exam.rules.prefetch_related("tags"))
    slots = _candidates(exam, rules)
    picked = match(slots, rng)
    if picked is None:
        raise ValidationError(
            _("The question bank cannot make this exam at the moment. Tell the organiser.")
        )
    ids = [qid for qids in picked.values() for qid in qids]
    sizes = {
        qid: len(options or [])
        for qid, options in Question.objects.filter(pk__in=ids).values_list("id", "options")
    }
    items = []
    for index, rule in enumerate(rules):
        for qid in picked[index]:
            order = list(range(sizes[qid]))
            rng.shuffle(order)
            items.append({"q": qid, "k": rule.kind, "p": rule.points, "o": order})
    rng.shuffle(items)
    return items


def start_attempt(actor, *, exam: Exam, now: datetime | None = None) -> Attempt:
    """Start (or resume) the actor's attempt: resuming returns the one in progress; a new one
    gets its own draw and a deadline of the time limit, cut at the exam's close."""
    now = now or timezone.now()
    person = person_of(actor)
    if person is None:
        raise PermissionDenied
    current = (
        Attempt.objects.filter(exam=exam, person=person, state=AttemptState.IN_PROGRESS)
        .order_by("-number")
        .first()
    )
    if current is not None:
        if current.deadline > now:
            return current
        close_attempt(current, now=now)
    if not exam.is_open(now):
        raise ValidationError(
            _("This exam is not open now: it opens %(opens)s and closes %(closes)s.")
            % {
                "opens": timezone.localtime(exam.opens_at).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(exam.closes_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    from zhengdun.learning.exams.queries import is_in_audience

    if not is_in_audience(person, exam):
        raise PermissionDenied
    taken = Attempt.objects.filter(exam=exam, person=person).count()
    if taken >= exam.attempts_allowed:
        raise ValidationError(
            _("You have used all %(n)d attempt(s) allowed for this exam.")
            % {"n": exam.attempts_allowed}
        )
    return begin_attempt(actor, person=person, exam=exam, number=taken + 1, now=now)


def begin_attempt(actor, *, person: Person, exam: Exam, number: int, now: datetime) -> Attempt:
    """Draw and create attempt ``number`` (the caller has checked audience, window and the
    attempts left; the demo loader calls this for people without a login)."""
    items = draw_items(exam)
    deadline = min(now + timedelta(minutes=exam.time_limit), exam.closes_at)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                exam=exam,
                person=person,
                number=number,
                unit_id=person.unit_id,
                unit_path=person.unit.path,
                started_at=now,
                deadline=deadline,
                items=items,
                max_score=sum(item["p"] for item in items),
            )
            record(
                actor=actor,
                code=Code.EXAMS_ATTEMPT_STARTED,
                obj=attempt,
                unit=person.unit_id,
                object_repr=f"{exam.title} · {person.name} · {number}",
                changes={"deadline": deadline, "questions": len(items)},
            )
    except IntegrityError:
        # The same person started twice at once (two tabs): the other request won; resume
        # its attempt (one in progress at most, by constraint).
        won = Attempt.objects.filter(exam=exam, person=person, state=AttemptState.IN_PROGRESS)
        return won.first() or Attempt.objects.get(exam=exam, person=person, number=number)
    return attempt


def _is_index(value) -> bool:
    """A real int (JSON numbers like 1.0, ``true`` or ``Infinity`` are not option indexes)."""
    return isinstance(value, int) and not isinstance(value, bool)


def clean_answer(item: dict, value):
    """An answer in the stored form, or None for "no answer"; ValidationError if malformed.

    Types are strict: option indexes are ints (not bools, not floats), true/false is a bool,
    fill-in is a string; anything else is refused with a message, never a crash."""
    if value is None or value == "" or value == []:
        return None
    kind = item["k"]
    size = len(item.get("o") or [])
    bad = ValidationError(_("This answer does not fit the question."))
    if kind == QuestionKind.SINGLE:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not _is_index(value) or not 0 <= value < size:
            raise bad
        return value
    if kind == QuestionKind.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        if any(not _is_index(v) or not 0 <= v < size for v in values):
            raise bad
        return sorted(set(values))
    if kind == QuestionKind.TRUE_FALSE:
        if not isinstance(value, bool):
            raise bad
        return value
    if not isinstance(value, str):
        raise bad
    if len(value) > MAX_FILL_LENGTH:
        raise ValidationError(_("An answer is at most %(n)d characters.") % {"n": MAX_FILL_LENGTH})
    return value


def _late_message(attempt_state: str) -> str:
    if attempt_state == AttemptState.IN_PROGRESS:
        return _("Time is up: answers after the deadline are not accepted.")
    return _("This attempt has been handed in: answers can no longer be changed.")


class AnswersRefused(ValidationError):
    """Some answers did not fit their question; the others were saved. ``refused`` maps each
    refused question id (a string) to its message."""

    def __init__(self, refused: dict[str, str]):
        self.refused = refused
        super().__init__(
            ngettext(
                "%(n)d answer does not fit its question and was not saved; the other answers "
                "were saved.",
                "%(n)d answers do not fit their questions and were not saved; the other "
                "answers were saved.",
                len(refused),
            )
            % {"n": len(refused)}
        )


def save_answers(user, attempt_id: int, answers: dict, *, now: datetime | None = None) -> Attempt:
    """Merge ``answers`` ({question id: answer}) into the user's attempt: the valid ones are
    saved even when some are not (one bad answer must not lose the others), and those are
    then reported with ``AnswersRefused``.

    Two queries: read the attempt (only the person's own: anybody else's is not found), then
    one UPDATE guarded by revision, state and deadline; on a lost race, read and try again.
    """
    from django.http import Http404

    for _try in range(5):
        now = now or timezone.now()
        attempt = (
            Attempt.objects.filter(pk=attempt_id, person__user_id=user.pk)
            .only("id", "state", "deadline", "items", "answers", "revision")
            .first()
        )
        if attempt is None:
            raise Http404
        refused: dict[str, str] = {}
        if apply_answers(attempt, answers, now=now, refused=refused):
            if refused:
                raise AnswersRefused(refused)
            return attempt
        now = None
    raise ValidationError(_("Your answers could not be saved just now. Try again."))


def apply_answers(
    attempt: Attempt, answers: dict, *, now: datetime, refused: dict[str, str] | None = None
) -> bool:
    """Validate and merge answers into an attempt read with its revision, in one UPDATE
    guarded by revision, state and deadline. False on a lost race (read again and retry).

    Without ``refused`` the first bad answer raises; with it, bad answers are left out and
    their messages put there, and the rest is saved."""
    if attempt.state != AttemptState.IN_PROGRESS or attempt.deadline <= now:
        raise AttemptClosed(_late_message(attempt.state))
    items = {str(item["q"]): item for item in attempt.items}
    merged = dict(attempt.answers)
    for key, value in answers.items():
        try:
            item = items.get(str(key))
            if item is None:
                raise ValidationError(_("This question is not part of your exam."))
            cleaned = clean_answer(item, value)
        except ValidationError as error:
            if refused is None:
                raise
            refused[str(key)] = error.messages[0]
            continue
        if cleaned is None:
            merged.pop(str(key), None)
        else:
            merged[str(key)] = cleaned
    updated = Attempt.objects.filter(
        pk=attempt.pk,
        revision=attempt.revision,
        state=AttemptState.IN_PROGRESS,
        deadline__gt=now,
    ).update(answers=merged, revision=attempt.revision + 1, answered_at=now)
    if updated:
        attempt.answers = merged
        attempt.revision += 1
    return bool(updated)


def _grade(attempt: Attempt, state: str, now: datetime) -> bool:
    """Grade what was saved and close the attempt (only if still open: one winner)."""
    ids = [item["q"] for item in attempt.items]
    keys = {
        qid: (kind, answer)
        for qid, kind, answer in Question.objects.filter(pk__in=ids).values_list(
            "id", "kind", "answer"
        )
    }
    result = grade(attempt.items, attempt.answers, keys)
    pass_mark = Exam.objects.filter(pk=attempt.exam_id).values_list("pass_mark", flat=True)[0]
    passed = passes(result.score, result.max_score, pass_mark)
    closed = Attempt.objects.filter(
        pk=attempt.pk, state=AttemptState.IN_PROGRESS, revision=attempt.revision
    ).update(
        state=state,
        submitted_at=min(now, attempt.deadline),
        score=result.score,
        max_score=result.max_score,
        percent=Decimal(str(result.percent)),
        passed=passed,
        marks=result.marks,
    )
    if closed:
        attempt.state = state
        attempt.submitted_at = min(now, attempt.deadline)
        attempt.score = result.score
        attempt.max_score = result.max_score
        attempt.percent = Decimal(str(result.percent))
        attempt.passed = passed
        attempt.marks = result.marks
    return bool(closed)


def submit_attempt(
    user,
    attempt: Attempt,
    *,
    answers: dict | None = None,
    now: datetime | None = None,
    time_up: bool = False,
) -> Attempt:
    """Hand in: save the last answers (if still in time), grade, close. A late hand-in grades
    what was saved before the deadline and is recorded as closed at the time limit.

    Answers that do not fit their question refuse the hand-in (``AnswersRefused``, the others
    saved) so the person can correct them, except when the time is up (``time_up``, the
    page's countdown): then the valid ones are graded and the hand-in goes through."""
    now = now or timezone.now()
    if answers:
        try:
            save_answers(user, attempt.pk, answers, now=now)
        except AttemptClosed:
            pass
        except AnswersRefused:
            if not time_up:
                raise
    return hand_in(user, attempt.pk, now=now)


def hand_in(actor, attempt_id: int, *, now: datetime) -> Attempt:
    """Grade what was saved and close the attempt, as handed in (or as closed at the time
    limit when ``now`` is past its deadline); audited once, by whichever request wins."""
    for _try in range(5):
        attempt = Attempt.objects.select_related("exam", "person").get(pk=attempt_id)
        if attempt.state != AttemptState.IN_PROGRESS:
            return attempt
        late = attempt.deadline <= now
        state = AttemptState.EXPIRED if late else AttemptState.SUBMITTED
        with transaction.atomic():
            if _grade(attempt, state, now):
                record(
                    actor=actor,
                    code=Code.EXAMS_ATTEMPT_EXPIRED if late else Code.EXAMS_ATTEMPT_SUBMITTED,
                    obj=attempt,
                    unit=attempt.unit_id,
                    object_repr=f"{attempt.exam.title} · {attempt.person.name} · {attempt.number}",
                    changes={
                        "score": attempt.score,
                        "max_score": attempt.max_score,
                        "passed": attempt.passed,
                        "answered": len(attempt.answers),
                    },
                )
                return attempt
    return Attempt.objects.get(pk=attempt_id)


def close_attempt(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Grade an attempt whose deadline has passed (lazily on access, or by the tick)."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_related("exam", "person").get(pk=attempt.pk)
    if attempt.state != AttemptState.IN_PROGRESS or attempt.deadline > now:
        return False
    with transaction.atomic():
        if not _grade(attempt, AttemptState.EXPIRED, now):
            return False
        record(
            actor=None,
            code=Code.EXAMS_ATTEMPT_EXPIRED,
            obj=attempt,
            unit=attempt.unit_id,
            object_repr=f"{attempt.exam.title} · {attempt.person.name} · {attempt.number}",
            changes={"score": attempt.score, "passed": attempt.passed},
        )
    return True


def close_expired(now: datetime | None = None, limit: int = 5000) -> int:
    """Grade every attempt left open past its deadline (the tick job)."""
    now = now or timezone.now()
    due = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lte=now).order_by(
        "deadline"
    )[:limit]
    return sum(close_attempt(attempt, now=now) for attempt in due)
