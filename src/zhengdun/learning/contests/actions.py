"""Every change to drills and contests. Each action checks permission, validates, writes and
audits in one transaction; views, the API, the Excel import and the demo all call these."""

import random
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.campaigns import actions as campaign_actions
from zhengdun.campaigns.models import Campaign, IncentiveLevel, IncentiveSide
from zhengdun.learning.contests import rules
from zhengdun.learning.contests.models import (
    TIERS,
    Award,
    AwardMode,
    Category,
    Competition,
    CompetitionEntry,
    Contest,
    ContestKind,
    ContestState,
    Criterion,
    Direction,
    DrillPlan,
    Entry,
    EntryKind,
    Judge,
    Measure,
    Refusal,
    Result,
    RoundQuestion,
    RoundState,
    Score,
    Subject,
    TeamAnswer,
)
from zhengdun.learning.contests.permissions import judge_of, may_manage, may_record
from zhengdun.learning.exams.actions import parse_letters, parse_true_false
from zhengdun.learning.exams.grading import is_correct
from zhengdun.learning.exams.models import Question, QuestionKind
from zhengdun.org import scope
from zhengdun.org.models import Person, Unit, ancestor_paths

MAX_VALUE = Decimal("9999999")


def today() -> date:
    return timezone.localdate()


def _require_manage(actor, unit: Unit) -> None:
    if not may_manage(actor, unit):
        raise PermissionDenied


def decimal_or_none(value) -> Decimal | None:
    """A number typed by a user (or read from a cell); None when empty; ValueError when not a
    number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _number(errors: dict, field: str, value, *, required: bool = False) -> Decimal | None:
    try:
        number = decimal_or_none(value)
    except ValueError:
        errors[field] = _("Enter a number.")
        return None
    if number is None:
        if required:
            errors[field] = _("This field is required.")
        return None
    if number < 0 or number > MAX_VALUE:
        errors[field] = _("Enter a number between 0 and 9999999.")
        return None
    return number


# Drill plans and standards ------------------------------------------------------------------


def create_plan(
    actor,
    *,
    name: str,
    unit: Unit,
    starts_on: date,
    ends_on: date,
    campaign: Campaign | None = None,
    note: str = "",
) -> DrillPlan:
    """A plan over the subtree of ``unit`` (a campaign's, or a period's)."""
    _require_manage(actor, unit)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter a name.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end cannot be before the start.")
    if campaign is not None and not unit.path.startswith(campaign.unit.path):
        errors["unit"] = _("The unit must take part in the campaign.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = DrillPlan.objects.create(
            name=name,
            unit=unit,
            unit_path=unit.path,
            starts_on=starts_on,
            ends_on=ends_on,
            campaign=campaign,
            note=note,
            created_by=actor,
        )
        record(
            actor=actor,
            code=Code.CONTESTS_PLAN_SAVED,
            obj=plan,
            unit=unit,
            changes={"name": name, "starts_on": starts_on, "ends_on": ends_on},
        )
    return plan


def save_subject(
    actor,
    *,
    plan: DrillPlan,
    name: str,
    measure: str,
    direction: str = Direction.HIGHER,
    pass_mark=None,
    excellent_mark=None,
    category: str = Category.OTHER,
    order: int = 0,
    subject: Subject | None = None,
) -> Subject:
    """Add a subject with its standard, or change one; changing a standard grades the
    recorded results again."""
    _require_manage(actor, plan.unit)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter a name.")
    elif plan.subjects.filter(name=name).exclude(pk=getattr(subject, "pk", None)).exists():
        errors["name"] = _("The plan already has a subject of that name.")
    if measure not in Measure.values:
        errors["measure"] = _("Choose a measure.")
    if direction not in Direction.values:
        errors["direction"] = _("Choose a direction.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    measured = measure != Measure.PASS_FAIL
    pass_mark = _number(errors, "pass_mark", pass_mark, required=measured) if measured else None
    excellent_mark = _number(errors, "excellent_mark", excellent_mark) if measured else None
    if (
        pass_mark is not None
        and excellent_mark is not None
        and not rules.reaches(excellent_mark, pass_mark, direction)
    ):
        errors["excellent_mark"] = _(
            "The excellent mark must be at least as good as the pass mark."
        )
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "measure": measure,
        "direction": direction if measured else Direction.HIGHER,
        "pass_mark": pass_mark,
        "excellent_mark": excellent_mark,
        "category": category,
        "order": order,
    }
    with transaction.atomic():
        if subject is None:
            subject = Subject.objects.create(plan=plan, **fields)
        else:
            for key, value in fields.items():
                setattr(subject, key, value)
            subject.save()
            _regrade(subject)
        record(
            actor=actor,
            code=Code.CONTESTS_SUBJECT_SAVED,
            obj=subject,
            unit=plan.unit,
            changes={**fields, "plan": plan.name},
        )
    return subject


def _regrade(subject: Subject) -> None:
    """Grade a subject's results again after its standard changed."""
    results = list(subject.results.all())
    for result in results:
        result.passed, result.excellent = rules.grade(
            measure=subject.measure,
            direction=subject.direction,
            pass_mark=subject.pass_mark,
            excellent_mark=subject.excellent_mark,
            value=result.value,
            passed=result.passed,
        )
    Result.objects.bulk_update(results, ["passed", "excellent"])


def record_result(
    actor,
    *,
    subject: Subject,
    person: Person,
    value=None,
    passed: bool | None = None,
    tested_on: date | None = None,
    note: str = "",
) -> tuple[Result, bool]:
    """Record (or correct) a person's result in a subject; (result, created)."""
    plan = subject.plan
    if not may_record(actor, plan, person):
        raise PermissionDenied
    errors: dict[str, str] = {}
    number = None
    if subject.measure == Measure.PASS_FAIL:
        if passed is None:
            errors["passed"] = _("Say whether the person passed.")
    else:
        number = _number(errors, "value", value, required=True)
    tested_on = tested_on or today()
    if not plan.starts_on <= tested_on <= max(plan.ends_on, plan.starts_on):
        errors["tested_on"] = _("The date must fall within the plan (%(start)s – %(end)s).") % {
            "start": plan.starts_on,
            "end": plan.ends_on,
        }
    if errors:
        raise ValidationError(errors)
    ok, excellent = rules.grade(
        measure=subject.measure,
        direction=subject.direction,
        pass_mark=subject.pass_mark,
        excellent_mark=subject.excellent_mark,
        value=number,
        passed=passed,
    )
    with transaction.atomic():
        result, created = Result.objects.update_or_create(
            subject=subject,
            person=person,
            defaults={
                "unit": person.unit,
                "unit_path": person.unit.path,
                "value": number,
                "passed": ok,
                "excellent": excellent,
                "tested_on": tested_on,
                "note": (note or "").strip()[:200],
                "recorded_by": actor,
            },
        )
        record(
            actor=actor,
            code=Code.CONTESTS_RESULT_RECORDED,
            obj=result,
            unit=person.unit,
            changes={
                "subject": subject.name,
                "person": person,
                "value": number,
                "passed": ok,
                "excellent": excellent,
            },
        )
    return result, created


# Skills competitions ------------------------------------------------------------------------


MAX_POINTS = Decimal(1000)


def _points_table(errors: dict, points) -> list[Decimal]:
    """The points for places, first place first. Each is bounded (0 to 1000, at most two
    decimals) so that the ranking's arithmetic (``rules.points_for`` quantizes every share)
    can never overflow on every page that shows the competition."""
    if isinstance(points, str):
        points = [part for part in points.replace("，", ",").split(",") if part.strip()]
    table = []
    for item in points or []:
        try:
            number = decimal_or_none(item)
        except ValueError:
            number = None
        if (
            number is None
            or not 0 <= number <= MAX_POINTS
            or number != number.quantize(Decimal("0.01"))
        ):
            errors["points"] = _(
                "Points are numbers from 0 to 1000 with at most two decimals, separated by commas."
            )
            return []
        table.append(number)
    if not table:
        errors["points"] = _("Give the points for at least the first place.")
    return table


def create_competition(
    actor,
    *,
    plan: DrillPlan,
    name: str,
    held_on: date,
    points,
    kind: str = EntryKind.PERSON,
    measure: str = Measure.SCORE,
    direction: str = Direction.HIGHER,
) -> Competition:
    _require_manage(actor, plan.unit)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter a name.")
    if kind not in EntryKind.values:
        errors["kind"] = _("Choose individuals or teams.")
    if measure not in Measure.values or measure == Measure.PASS_FAIL:
        errors["measure"] = _("A competition is placed by a time, a score or a count.")
    if direction not in Direction.values:
        errors["direction"] = _("Choose a direction.")
    table = _points_table(errors, points)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        competition = Competition.objects.create(
            plan=plan,
            name=name,
            kind=kind,
            measure=measure,
            direction=direction,
            held_on=held_on,
            points=[str(p) for p in table],
        )
        record(
            actor=actor,
            code=Code.CONTESTS_COMPETITION_SAVED,
            obj=competition,
            unit=plan.unit,
            changes={"name": name, "points": [str(p) for p in table]},
        )
    return competition


def add_competition_entry(
    actor,
    *,
    competition: Competition,
    unit: Unit,
    name: str = "",
    person: Person | None = None,
    value=None,
) -> CompetitionEntry:
    """An entry of a unit: a person (named after them) or a team (named by the organisers)."""
    plan = competition.plan
    _require_manage(actor, plan.unit)
    errors: dict[str, str] = {}
    if not unit.path.startswith(plan.unit_path):
        errors["unit"] = _("The unit must take part in the plan.")
    if competition.kind == EntryKind.PERSON:
        if person is None:
            errors["person"] = _("Choose the competitor.")
        elif not person.unit.path.startswith(unit.path):
            errors["person"] = _("The competitor must serve in the unit or below it.")
        name = (name or "").strip() or (person.name if person else "")
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the team.")
    elif competition.entries.filter(name=name).exists():
        errors["name"] = _("The competition already has an entry of that name.")
    number = _number(errors, "value", value)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = CompetitionEntry.objects.create(
            competition=competition,
            unit=unit,
            unit_path=unit.path,
            person=person,
            name=name,
            value=number,
        )
        record(
            actor=actor,
            code=Code.CONTESTS_COMPETITION_RESULT,
            obj=entry,
            unit=unit,
            changes={"competition": competition.name, "entry": name, "value": number},
        )
    return entry


def record_competition_result(actor, *, entry: CompetitionEntry, value) -> CompetitionEntry:
    _require_manage(actor, entry.competition.plan.unit)
    errors: dict[str, str] = {}
    number = _number(errors, "value", value)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = entry.value
        entry.value = number
        entry.save(update_fields=["value"])
        record(
            actor=actor,
            code=Code.CONTESTS_COMPETITION_RESULT,
            obj=entry,
            unit=entry.unit,
            changes={"value": [before, number]},
        )
    return entry


# Contests -----------------------------------------------------------------------------------


def _criteria(errors: dict, criteria: Iterable[tuple[str, object, object]]) -> list[tuple]:
    cleaned = []
    names = set()
    for name, weight, maximum in criteria:
        name = (name or "").strip()
        if not name:
            continue
        try:
            w, m = decimal_or_none(weight), decimal_or_none(maximum)
        except ValueError:
            w = m = None
        if w is None or m is None or w <= 0 or m <= 0 or w > 100 or m > 1000:
            errors["criteria"] = _(
                "Each criterion needs a weight (0–100) and a maximum (0–1000) above zero."
            )
        elif name in names:
            errors["criteria"] = _("A criterion is listed twice.")
        names.add(name)
        cleaned.append((name, w, m))
    return cleaned


def _levels(errors: dict, campaign: Campaign | None, levels: Mapping) -> dict[str, int]:
    """Prize → incentive level id; the levels must be the campaign's rewards."""
    chosen = {tier: level for tier, level in (levels or {}).items() if level and tier in TIERS}
    if not chosen:
        return {}
    if campaign is None:
        errors["award_levels"] = _("Prizes feed incentives only in a contest of a campaign.")
        return {}
    valid = set(
        IncentiveLevel.objects.filter(campaign=campaign, side=IncentiveSide.REWARD).values_list(
            "pk", flat=True
        )
    )
    result = {}
    for tier, level in chosen.items():
        level_id = level.pk if isinstance(level, IncentiveLevel) else int(level)
        if level_id not in valid:
            errors["award_levels"] = _("Choose incentive levels of the contest's campaign.")
        result[str(tier)] = level_id
    return result


MAX_AWARD_RULE = Decimal(1000)


def _award_rule(errors: dict, mode: str, rule: Mapping) -> dict[str, str]:
    """Per prize: a number of places (by rank) or the lowest score (by thresholds). The range
    is checked before any ``int()``: converting a huge finite Decimal such as ``9e999999`` to
    an int would take the CPU for a minute."""
    cleaned = {}
    for tier in TIERS:
        value = (rule or {}).get(tier)
        try:
            number = decimal_or_none(value)
        except ValueError:
            errors["award_rule"] = _("Prize rules are numbers.")
            continue
        if number is None:
            continue
        if not number.is_finite() or not 0 <= number <= MAX_AWARD_RULE:
            errors["award_rule"] = _("Prize rules are numbers from 0 to 1000.")
            continue
        if mode == AwardMode.RANK:
            if number != number.to_integral_value():
                errors["award_rule"] = _("By rank, give whole numbers of places.")
                continue
            cleaned[str(tier)] = str(int(number))
        else:
            cleaned[str(tier)] = str(number)
    return cleaned


def create_contest(
    actor,
    *,
    kind: str,
    name: str,
    unit: Unit,
    held_on: date,
    campaign: Campaign | None = None,
    criteria: Iterable[tuple[str, object, object]] = (),
    judges: Iterable[Person] = (),
    points_correct=Decimal(10),
    penalty_wrong=Decimal(0),
    award_mode: str = AwardMode.RANK,
    award_rule: Mapping | None = None,
    award_levels: Mapping | None = None,
    note: str = "",
) -> Contest:
    """A contest with its rubric and panel (essay, speech) or its scoring (knowledge)."""
    _require_manage(actor, unit)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if kind not in ContestKind.values:
        errors["kind"] = _("Choose the kind of contest.")
    if not name:
        errors["name"] = _("Enter a name.")
    if campaign is not None and not unit.path.startswith(campaign.unit.path):
        errors["unit"] = _("The unit must take part in the campaign.")
    cleaned = _criteria(errors, criteria)
    judges = list(judges)
    if len({person.pk for person in judges}) != len(judges):
        errors["judges"] = _("A judge is listed twice.")
    if kind != ContestKind.KNOWLEDGE and not errors.get("criteria") and not cleaned:
        errors["criteria"] = _("A judged contest needs at least one criterion.")
    correct = _number(errors, "points_correct", points_correct, required=True)
    penalty = _number(errors, "penalty_wrong", penalty_wrong) or Decimal(0)
    if award_mode not in AwardMode.values:
        errors["award_mode"] = _("Choose how prizes are given.")
    rule = _award_rule(errors, award_mode, award_rule or {})
    levels = _levels(errors, campaign, award_levels or {})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contest = Contest.objects.create(
            kind=kind,
            name=name,
            unit=unit,
            unit_path=unit.path,
            held_on=held_on,
            campaign=campaign,
            points_correct=correct,
            penalty_wrong=penalty,
            award_mode=award_mode,
            award_rule=rule,
            award_levels=levels,
            note=note,
            created_by=actor,
        )
        Criterion.objects.bulk_create(
            Criterion(contest=contest, name=n, weight=w, max_score=m, order=i)
            for i, (n, w, m) in enumerate(cleaned)
        )
        Judge.objects.bulk_create(Judge(contest=contest, person=person) for person in judges)
        record(
            actor=actor,
            code=Code.CONTESTS_CONTEST_SAVED,
            obj=contest,
            unit=unit,
            changes={
                "kind": kind,
                "name": name,
                "criteria": [f"{n} ×{w} /{m}" for n, w, m in cleaned],
                "judges": "、".join(person.name for person in judges),
            },
        )
    return contest


def add_entry(
    actor,
    *,
    contest: Contest,
    title: str,
    unit: Unit,
    person: Person | None = None,
    text: str = "",
) -> Entry:
    """An essay or speech with its author, or a team (a unit) of a knowledge contest."""
    _require_manage(actor, contest.unit)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if contest.state == ContestState.CLOSED:
        errors["title"] = _("The contest is closed.")
    if not title:
        errors["title"] = _("Enter a title.")
    elif contest.entries.filter(title=title).exists():
        errors["title"] = _("The contest already has an entry of that title.")
    if not unit.path.startswith(contest.unit_path):
        errors["unit"] = _("The unit must take part in the contest.")
    if person is not None and person.unit_id != unit.pk:
        errors["person"] = _("The author must serve in the entry's unit.")
    if contest.is_judged and person is None:
        errors["person"] = _("Choose the author.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = Entry.objects.create(
            contest=contest,
            title=title,
            unit=unit,
            unit_path=unit.path,
            person=person,
            text=text,
        )
        record(
            actor=actor,
            code=Code.CONTESTS_ENTRY_SAVED,
            obj=entry,
            unit=unit,
            changes={"contest": contest.name, "title": title, "person": person},
        )
    return entry


def set_state(actor, *, contest: Contest, state: str) -> Contest:
    """Open a contest (draft → under way) or close it (under way → closed). Closing a
    judged contest shows every judge's scores and the ranking."""
    _require_manage(actor, contest.unit)
    allowed = {
        ContestState.DRAFT: {ContestState.RUNNING},
        ContestState.RUNNING: {ContestState.CLOSED},
        ContestState.CLOSED: set(),
    }
    if state not in allowed[contest.state]:
        raise ValidationError(_("The contest cannot go from this state to that one."))
    if state == ContestState.RUNNING:
        if not contest.entries.exists():
            raise ValidationError(_("Add the entries (or teams) first."))
        if contest.is_judged and not contest.judges.exists():
            raise ValidationError(_("Name the judges first."))
        if not contest.is_judged and not contest.questions.exists():
            raise ValidationError(_("Draw the questions first."))
    with transaction.atomic():
        before = contest.state
        contest.state = state
        contest.save(update_fields=["state"])
        record(
            actor=actor,
            code=Code.CONTESTS_CONTEST_STATE,
            obj=contest,
            unit=contest.unit,
            changes={"state": [before, state]},
        )
    return contest


def conflict_reason(judge: Judge, entry: Entry) -> str:
    """Why a judge may not score an entry ("" when they may)."""
    if entry.person_id is not None and entry.person_id == judge.person_id:
        return _("A judge cannot score their own entry.")
    if entry.unit_id == judge.person.unit_id:
        return _("A judge cannot score an entry of their own unit.")
    return ""


def score_entry(actor, *, entry: Entry, values: Mapping[int, object]) -> list[Score]:
    """A judge's scores for an entry, one per criterion (a later call corrects them). A
    conflict of interest is refused, and the refusal kept and audited."""
    contest = entry.contest
    judge = judge_of(actor, contest)
    if judge is None:
        raise PermissionDenied
    if contest.state != ContestState.RUNNING:
        raise ValidationError(_("Scores are taken only while the contest is under way."))
    reason = conflict_reason(judge, entry)
    if reason:
        # Kept (and audited) once per judge and entry: a retried form adds nothing.
        with transaction.atomic():
            refusal, created = Refusal.objects.get_or_create(
                entry=entry, judge=judge, defaults={"reason": reason}
            )
            if created:
                record(
                    actor=actor,
                    code=Code.CONTESTS_SCORE_REFUSED,
                    obj=refusal.entry,
                    unit=entry.unit,
                    changes={"judge": judge.person.name, "reason": reason},
                )
        raise ValidationError(reason)
    criteria = list(contest.criteria.all())
    errors: dict[str, str] = {}
    cleaned: dict[int, Decimal] = {}
    for criterion in criteria:
        field = f"c{criterion.pk}"
        raw = values.get(criterion.pk, values.get(str(criterion.pk)))
        number = _number(errors, field, raw, required=True)
        if number is not None and number > criterion.max_score:
            errors[field] = _("At most %(max)s.") % {
                "max": format(criterion.max_score.normalize(), "f")
            }
        elif number is not None:
            cleaned[criterion.pk] = number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scores = []
        for criterion in criteria:
            score, _created = Score.objects.update_or_create(
                entry=entry,
                judge=judge,
                criterion=criterion,
                defaults={"value": cleaned[criterion.pk]},
            )
            scores.append(score)
        # Only that the judge scored, never the values: the audit log is read by the
        # entry's unit leaders and inspectors while the contest still runs, and the scores
        # stay sealed until it is closed.
        record(
            actor=actor,
            code=Code.CONTESTS_SCORE_RECORDED,
            obj=entry,
            unit=entry.unit,
            changes={"judge": judge.person.name, "criteria": len(criteria)},
        )
    return scores


def give_awards(actor, *, contest: Contest) -> list[Award]:
    """Prizes by the final ranking of a closed contest; each prize whose incentive level is
    set is recorded as an incentive of the campaign through its own action (so it shows on
    the unit's page there). Given once."""
    from zhengdun.learning.contests.queries import ranking

    _require_manage(actor, contest.unit)
    if contest.state != ContestState.CLOSED:
        raise ValidationError(_("Prizes are given once the contest is closed."))
    if Award.objects.filter(entry__contest=contest).exists():
        raise ValidationError(_("The prizes of this contest have been given."))
    levels = {
        level.pk: level
        for level in IncentiveLevel.objects.filter(pk__in=contest.award_levels.values())
    }
    awards = []
    with transaction.atomic():
        for row in ranking(contest):
            tier = rules.tier_for(row.place, row.score, contest.award_mode, contest.award_rule)
            if tier is None:
                continue
            award = Award(entry=row.entry, tier=tier, score=row.score, rank=row.place)
            level = levels.get(contest.award_levels.get(tier))
            if level is not None:
                reason = _("%(contest)s: %(prize)s (“%(title)s”)") % {
                    "contest": contest.name,
                    "prize": award.get_tier_display(),
                    "title": row.entry.title,
                }
                award.incentive = campaign_actions.award(
                    actor,
                    level=level,
                    unit=row.entry.unit,
                    person=row.entry.person,
                    reason=reason,
                    awarded_on=today(),
                )
            award.save()
            awards.append(award)
        record(
            actor=actor,
            code=Code.CONTESTS_AWARDS_GIVEN,
            obj=contest,
            unit=contest.unit,
            changes={
                "awards": [f"{a.get_tier_display()}：{a.entry.title}" for a in awards],
            },
        )
    return awards


# Knowledge contest: the live round ------------------------------------------------------------


def set_questions(actor, *, contest: Contest, questions: list) -> list[RoundQuestion]:
    """The round's questions from the bank, in order (replacing any not yet under way)."""
    _require_manage(actor, contest.unit)
    if contest.kind != ContestKind.KNOWLEDGE:
        raise ValidationError(_("Only a knowledge contest has questions."))
    if contest.state != ContestState.DRAFT:
        raise ValidationError(_("The questions are fixed once the contest is under way."))
    if not questions:
        raise ValidationError(_("Choose at least one question."))
    if len({q.pk for q in questions}) != len(questions):
        raise ValidationError(_("A question is listed twice."))
    with transaction.atomic():
        contest.questions.all().delete()
        rows = RoundQuestion.objects.bulk_create(
            RoundQuestion(contest=contest, question=q, number=i + 1)
            for i, q in enumerate(questions)
        )
        record(
            actor=actor,
            code=Code.CONTESTS_CONTEST_SAVED,
            obj=contest,
            unit=contest.unit,
            changes={"questions": [q.pk for q in questions]},
        )
    return rows


def contest_bank(contest: Contest):
    """The questions a knowledge contest draws from: the active questions of its unit's bank,
    of the banks above it and of those below it."""
    path = contest.unit_path
    return Question.objects.filter(
        Q(unit_path__in=ancestor_paths(path)) | scope.prefix_q("unit_path", path),
        is_active=True,
    )


def draw_questions(
    actor, *, contest: Contest, count: int, rng: random.Random | None = None
) -> list[RoundQuestion]:
    """Draw ``count`` questions at random from the contest's bank for its round."""
    _require_manage(actor, contest.unit)
    if not 1 <= count <= 100:
        raise ValidationError({"count": _("Between 1 and 100 questions.")})
    ids = list(contest_bank(contest).order_by("pk").values_list("pk", flat=True))
    if len(ids) < count:
        raise ValidationError(
            {"count": _("The bank holds only %(n)d questions.") % {"n": len(ids)}}
        )
    picked = (rng or random.SystemRandom()).sample(ids, count)
    by_pk = Question.objects.in_bulk(picked)
    return set_questions(actor, contest=contest, questions=[by_pk[pk] for pk in picked])


def _step(actor, contest: Contest, row: RoundQuestion, state: str) -> RoundQuestion:
    now = timezone.now()
    row.state = state
    if state == RoundState.SHOWN:
        row.shown_at = now
    else:
        row.revealed_at = now
    row.save(update_fields=["state", "shown_at", "revealed_at"])
    record(
        actor=actor,
        code=Code.CONTESTS_ROUND_STEP,
        obj=contest,
        unit=contest.unit,
        changes={"number": row.number, "state": state},
    )
    return row


def _live(actor, contest: Contest) -> None:
    _require_manage(actor, contest.unit)
    if contest.kind != ContestKind.KNOWLEDGE or contest.state != ContestState.RUNNING:
        raise ValidationError(_("The round runs only while the contest is under way."))


def show_next(actor, *, contest: Contest) -> RoundQuestion:
    """Put the next question on the screen; the current one must have been revealed."""
    _live(actor, contest)
    with transaction.atomic():
        rows = list(
            RoundQuestion.objects.select_for_update()
            .filter(contest=contest)
            .exclude(state=RoundState.REVEALED)
            .order_by("number")[:2]
        )
        if not rows:
            raise ValidationError(_("Every question has been asked."))
        if rows[0].state == RoundState.SHOWN:
            raise ValidationError(_("Reveal the answer to the current question first."))
        return _step(actor, contest, rows[0], RoundState.SHOWN)


def reveal(actor, *, contest: Contest) -> RoundQuestion:
    """Show the current question's correct answer on the screen."""
    _live(actor, contest)
    with transaction.atomic():
        row = (
            RoundQuestion.objects.select_for_update()
            .filter(contest=contest, state=RoundState.SHOWN)
            .first()
        )
        if row is None:
            raise ValidationError(_("No question is on the screen."))
        return _step(actor, contest, row, RoundState.REVEALED)


def given_answer(question, text: str):
    """A team's answer as typed by the host ("A", "AC", "对", a phrase) in the form the bank's
    grader reads; None when it is not one of the question's options."""
    text = (text or "").strip()
    if not text:
        return None
    if question.kind == QuestionKind.SINGLE:
        picked = parse_letters(text, len(question.options))
        return picked[0] if picked and len(picked) == 1 else None
    if question.kind == QuestionKind.MULTIPLE:
        return parse_letters(text, len(question.options))
    if question.kind == QuestionKind.TRUE_FALSE:
        return parse_true_false(text)
    return text


def record_answer(
    actor,
    *,
    row: RoundQuestion,
    entry: Entry,
    answer: str = "",
    correct: bool | None = None,
) -> TeamAnswer:
    """A team's answer to the question on the screen, entered by the host or a judge and
    graded by the bank's own rule (or marked right or wrong by them, for an oral answer):
    points for a correct answer, the penalty (if any) for a wrong one."""
    contest = row.contest
    if judge_of(actor, contest) is None and not may_manage(actor, contest.unit):
        raise PermissionDenied
    # Only before the reveal: once the key is on the screen an answer could be fitted to it.
    if contest.state != ContestState.RUNNING or row.state != RoundState.SHOWN:
        raise ValidationError(
            _("Answers are taken for a question on the screen, before its answer is revealed.")
        )
    if entry.contest_id != contest.pk:
        raise ValidationError(_("The team is not in this contest."))
    question = row.question
    answer = (answer or "").strip()[:200]
    if correct is None:
        given = given_answer(question, answer)
        if answer and given is None:
            raise ValidationError(
                {
                    "answer": _("“%(answer)s” is not an answer to this question.")
                    % {"answer": answer}
                }
            )
        correct = is_correct(question.kind, question.answer, given)
    points = contest.points_correct if correct else -contest.penalty_wrong
    with transaction.atomic():
        team_answer, _created = TeamAnswer.objects.update_or_create(
            round_question=row,
            entry=entry,
            defaults={
                "answer": answer,
                "correct": correct,
                "points": points,
                "recorded_by": actor,
            },
        )
        record(
            actor=actor,
            code=Code.CONTESTS_ANSWER_RECORDED,
            obj=entry,
            unit=entry.unit,
            changes={"number": row.number, "answer": answer, "correct": correct, "points": points},
        )
    return team_answer
