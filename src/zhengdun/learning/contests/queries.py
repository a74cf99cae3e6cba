"""The read side of drills and contests: results in the viewer's scope, pass rates rolled up
the tree (aggregated in the database, a fixed number of queries whatever the size), rankings of
competitions, units and contest entries, the judges' view of scores and the live round."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from zhengdun.learning.contests import rules
from zhengdun.learning.contests.models import (
    Competition,
    Contest,
    ContestKind,
    ContestState,
    DrillPlan,
    Entry,
    EntryKind,
    Judge,
    Result,
    RoundQuestion,
    RoundState,
    Score,
    Subject,
    TeamAnswer,
)
from zhengdun.learning.contests.permissions import ContestPerm, may_manage
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Person, PersonStatus, Unit

# Drills ------------------------------------------------------------------------------------


def results_visible_to(user, plan: DrillPlan):
    """The plan's results inside the viewer's scope (and nothing of another county's)."""
    return Result.objects.filter(
        scope.within(user, ContestPerm.VIEW, "unit_path"), subject__plan=plan
    )


def result_list(user, plan: DrillPlan, *, subject=None, unit=None, failed: bool = False):
    results = results_visible_to(user, plan)
    if subject is not None:
        results = results.filter(subject=subject)
    if unit is not None:
        results = results.filter(scope.prefix_q("unit_path", unit.path))
    if failed:
        results = results.filter(passed=False)
    return results.select_related("subject", "person", "unit").order_by(
        "unit_path", "person__name", "subject__order", "id"
    )


@dataclass
class Rate:
    tested: int = 0
    passed: int = 0
    excellent: int = 0

    @property
    def pass_rate(self) -> float | None:
        return round(100 * self.passed / self.tested, 1) if self.tested else None

    @property
    def excellent_rate(self) -> float | None:
        return round(100 * self.excellent / self.tested, 1) if self.tested else None


@dataclass
class UnitRow:
    unit: Unit
    own: bool  # the unit's own staff (not its subunits)
    people: int = 0
    total: Rate = field(default_factory=Rate)
    by_subject: dict[int, Rate] = field(default_factory=dict)
    expected: int = 0

    @property
    def untested(self) -> int:
        return max(self.expected - self.total.tested, 0)


def drill_root(user, plan: DrillPlan, unit: Unit | None = None) -> Unit | None:
    """The unit whose children the rates are shown for: the one asked for if the viewer sees
    it and it lies in the plan, else the plan's unit if seen, else the viewer's top unit."""
    if unit is not None:
        if unit.path.startswith(plan.unit_path) and scope.can(user, ContestPerm.VIEW, unit):
            return unit
        return None
    if scope.can(user, ContestPerm.VIEW, plan.unit):
        return plan.unit
    return (
        scope.roots(user, ContestPerm.VIEW)
        .filter(scope.prefix_q("path", plan.unit_path))
        .order_by("path")
        .first()
    )


def unit_rates(plan: DrillPlan, root: Unit, subjects: list[Subject]) -> list[UnitRow]:
    """Pass rates of each child of ``root`` (its whole subtree counted) and of the root's own
    staff, per subject and in all: three queries (children, head counts, results), each
    grouped in the database by the path prefix of the child."""
    children = list(Unit.objects.filter(parent=root, is_active=True).order_by("sort_order", "path"))
    length = len(root.path) + PATH_STEP
    key = Substr("unit_path", 1, length)
    rows: dict[str, UnitRow] = {root.path: UnitRow(unit=root, own=True)}
    for child in children:
        rows[child.path] = UnitRow(unit=child, own=False)
    heads = (
        Person.objects.filter(scope.prefix_q("unit__path", root.path), status=PersonStatus.ACTIVE)
        .annotate(prefix=Substr("unit__path", 1, length))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    for item in heads:
        if item["prefix"] in rows:
            rows[item["prefix"]].people = item["n"]
    tallies = (
        Result.objects.filter(scope.prefix_q("unit_path", root.path), subject__plan=plan)
        .annotate(prefix=key)
        .values("prefix", "subject_id")
        .annotate(
            tested=Count("id"),
            passed=Count("id", filter=Q(passed=True)),
            excellent=Count("id", filter=Q(excellent=True)),
        )
    )
    for item in tallies:
        row = rows.get(item["prefix"])
        if row is None:
            continue
        rate = Rate(item["tested"], item["passed"], item["excellent"])
        row.by_subject[item["subject_id"]] = rate
        row.total.tested += rate.tested
        row.total.passed += rate.passed
        row.total.excellent += rate.excellent
    for row in rows.values():
        row.expected = row.people * len(subjects)
    own = rows.pop(root.path)
    result = list(rows.values())
    if own.people or own.total.tested:
        result.insert(0, own)
    return result


def subject_rates(user, plan: DrillPlan) -> dict[int, Rate]:
    """Per subject, over the results the viewer may see (one query)."""
    rates = {}
    for item in (
        results_visible_to(user, plan)
        .values("subject_id")
        .annotate(
            tested=Count("id"),
            passed=Count("id", filter=Q(passed=True)),
            excellent=Count("id", filter=Q(excellent=True)),
        )
    ):
        rates[item["subject_id"]] = Rate(item["tested"], item["passed"], item["excellent"])
    return rates


def untested_people(user, plan: DrillPlan, subject: Subject, unit: Unit | None = None):
    """Serving people of the plan in the viewer's scope with no result yet in the subject."""
    people = Person.objects.filter(
        scope.within(user, ContestPerm.VIEW, "unit__path"),
        scope.prefix_q("unit__path", (unit or plan.unit).path),
        status=PersonStatus.ACTIVE,
    ).exclude(pk__in=Result.objects.filter(subject=subject).values("person_id"))
    return people.select_related("unit").order_by("unit__path", "name", "id")


# Skills competitions ---------------------------------------------------------------------------


@dataclass
class Placed:
    place: int
    item: object
    points: Decimal
    value: Decimal | None = None
    name: str = ""  # the entrant's name as the viewer may read it ("" when hidden)


def entrant_name(user, competition: Competition, entry) -> str:
    """A competition is between units, bureau-wide, so its ranking shows every unit; but a
    person's name only to viewers whose scope holds that person's unit (a team's name is the
    organisers' and is always shown)."""
    if competition.kind != EntryKind.PERSON:
        return entry.name
    if scope.scope_of(user).covers(ContestPerm.VIEW, entry.unit_path):
        return entry.name
    return ""


def competition_ranking(competition: Competition, entries=None, *, viewer=None) -> list[Placed]:
    """Entries by place, with their points; ties share the place (see ``rules``). With a
    ``viewer``, entrants outside their scope appear by unit only (see ``entrant_name``)."""
    entries = list(
        entries if entries is not None else competition.entries.select_related("unit", "person")
    )
    ranked = rules.places(entries, lambda e: e.value, competition.direction)
    points = rules.points_for(ranked, competition.points)
    return [
        Placed(
            place,
            entry,
            pts,
            entry.value,
            entry.name if viewer is None else entrant_name(viewer, competition, entry),
        )
        for (place, entry), pts in zip(ranked, points, strict=True)
    ]


@dataclass
class UnitStanding:
    unit: Unit
    points: Decimal
    place: int = 0
    entries: int = 0


def unit_ranking(plan: DrillPlan) -> list[UnitStanding]:
    """Units below the plan's unit that entered, ranked by the points their entries earned in
    all the plan's competitions (an entry counts for the child of the plan's unit it belongs to);
    equal totals share a place. Two queries."""
    children = {
        u.path: u for u in Unit.objects.filter(parent=plan.unit, is_active=True).order_by("path")
    }
    totals = {path: UnitStanding(unit, Decimal(0)) for path, unit in children.items()}
    competitions: dict[int, list] = {}
    entries = Competition.objects.filter(plan=plan).prefetch_related("entries").order_by("id")
    length = len(plan.unit_path) + PATH_STEP
    for competition in entries:
        competitions[competition.pk] = competition_ranking(competition, competition.entries.all())
        for placed in competitions[competition.pk]:
            standing = totals.get(placed.item.unit_path[:length])
            if standing is not None:
                standing.points += placed.points
                standing.entries += 1
    # Only the units that took part are ranked.
    standings = [standing for standing in totals.values() if standing.entries]
    for place, standing in rules.places(standings, lambda s: s.points, "higher"):
        standing.place = place
    standings.sort(key=lambda s: (s.place, s.unit.path))
    return standings


# Contests ---------------------------------------------------------------------------------------


@dataclass
class Ranked:
    entry: Entry
    score: Decimal | None
    place: int = 0
    judges: int = 0
    totals: list[Decimal] = field(default_factory=list)


def judge_totals(contest: Contest) -> dict[int, dict[int, Decimal]]:
    """{entry id: {judge id: total out of 100}} (see ``rules.weighted_total``), counting only
    judges who scored the entry on every criterion. Two queries (the rubric, the scores),
    the arithmetic in Python so that it is exactly the rules' on every database."""
    criteria = {c.pk: c for c in contest.criteria.all()}
    sheets: dict[tuple[int, int], list[rules.Line]] = {}
    for entry_id, judge_id, criterion_id, value in Score.objects.filter(
        entry__contest=contest
    ).values_list("entry_id", "judge_id", "criterion_id", "value"):
        criterion = criteria.get(criterion_id)
        if criterion is not None:
            sheets.setdefault((entry_id, judge_id), []).append(
                rules.Line(criterion.weight, value, criterion.max_score)
            )
    totals: dict[int, dict[int, Decimal]] = {}
    for (entry_id, judge_id), lines in sheets.items():
        if len(lines) == len(criteria):
            totals.setdefault(entry_id, {})[judge_id] = rules.weighted_total(lines)
    return totals


def team_points(contest: Contest) -> dict[int, Decimal]:
    return {
        row["entry_id"]: Decimal(row["points"])
        for row in TeamAnswer.objects.filter(round_question__contest=contest)
        .values("entry_id")
        .annotate(points=Sum("points"))
    }


def ranking(contest: Contest) -> list[Ranked]:
    """Entries ranked by their score: for a judged contest the judges' totals trimmed and
    averaged; for a knowledge contest the team's points. Ties share a place."""
    entries = list(contest.entries.select_related("unit", "person").order_by("id"))
    rows = []
    if contest.is_judged:
        totals = judge_totals(contest)
        for entry in entries:
            by_judge = list(totals.get(entry.pk, {}).values())
            rows.append(
                Ranked(
                    entry,
                    rules.trimmed_mean(by_judge),
                    judges=len(by_judge),
                    totals=sorted(by_judge),
                )
            )
    else:
        points = team_points(contest)
        rows = [Ranked(entry, points.get(entry.pk, Decimal(0))) for entry in entries]
    ordered = []
    for place, row in rules.places(rows, lambda r: r.score, "higher"):
        row.place = place
        ordered.append(row)
    return ordered


def may_see_all_scores(user, contest: Contest) -> bool:
    """Organisers always; everyone else (judges included) once the contest is closed."""
    return contest.state == ContestState.CLOSED or may_manage(user, contest.unit)


def own_scores(judge: Judge) -> dict[int, dict[int, Decimal]]:
    """{entry id: {criterion id: value}} of one judge."""
    scores: dict[int, dict[int, Decimal]] = {}
    for entry_id, criterion_id, value in Score.objects.filter(judge=judge).values_list(
        "entry_id", "criterion_id", "value"
    ):
        scores.setdefault(entry_id, {})[criterion_id] = value
    return scores


def scores_for_viewer(user, contest: Contest, judge: Judge | None):
    """The scores a viewer may read: every judge's once allowed, else only the judge's own
    (and none for anyone else)."""
    scores = Score.objects.filter(entry__contest=contest)
    if may_see_all_scores(user, contest):
        return scores
    if judge is not None:
        return scores.filter(judge=judge)
    return scores.none()


# The live round -------------------------------------------------------------------------------


def current_question(contest: Contest) -> RoundQuestion | None:
    """The question on the screen (shown or revealed last), with its bank question."""
    return (
        RoundQuestion.objects.filter(contest=contest)
        .exclude(state=RoundState.WAITING)
        .select_related("question")
        .order_by("-number")
        .first()
    )


def round_progress(contest: Contest) -> tuple[int, int]:
    """(questions asked, questions in the round)."""
    counts = RoundQuestion.objects.filter(contest=contest).aggregate(
        asked=Count("id", filter=~Q(state=RoundState.WAITING)), total=Count("id")
    )
    return counts["asked"], counts["total"]


def contest_list(user, contests, *, kind: str = ""):
    if kind in ContestKind.values:
        contests = contests.filter(kind=kind)
    return contests.select_related("unit", "campaign").order_by("-held_on", "-id")
