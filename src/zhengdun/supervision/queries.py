"""Read side of supervision: every query takes the viewer and goes through scope, and reads a
bounded number of rows (a month of visits, a campaign's assignments)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Case, Count, Q, QuerySet, When

from zhengdun.campaigns.models import Campaign
from zhengdun.org import scope
from zhengdun.org.models import Unit
from zhengdun.supervision import rules
from zhengdun.supervision.models import (
    Assignment,
    ChecklistEntry,
    Duty,
    Group,
    Order,
    OrderState,
    Scorecard,
    Visit,
)
from zhengdun.supervision.permissions import (
    SupervisionPerm,
    groups_visible_to,
    orders_visible_to,
    visits_visible_to,
)


def month_visits(group: Group, month: date) -> QuerySet[Visit]:
    """The group's visits that touch the month, planned ones included."""
    return group.visits.filter(
        start_date__lte=rules.month_end(month), end_date__gte=month
    ).select_related("unit")


@dataclass
class GroupMonth:
    group: Group
    month: date
    status: rules.MonthStatus
    days: set[date]
    visits: list[Visit]
    planned: list[Visit]
    units: list[Unit]  # assigned during the month
    unvisited: list[Unit]


def group_month(group: Group, month: date, today: date) -> GroupMonth:
    """Days on site in the month against the group's minimum, and which assigned units it has
    not visited yet (three queries)."""
    visits = list(month_visits(group, month))
    held = [visit for visit in visits if not visit.planned]
    days = rules.days_on_site(((v.start_date, v.end_date) for v in held), month)
    units = assigned_units(group, month)
    visited_paths = [visit.unit.path for visit in held]
    unvisited = [
        unit for unit in units if not any(path.startswith(unit.path) for path in visited_paths)
    ]
    return GroupMonth(
        group=group,
        month=month,
        status=rules.month_status(len(days), group.min_days, month, today),
        days=days,
        visits=held,
        planned=[visit for visit in visits if visit.planned],
        units=units,
        unvisited=unvisited,
    )


def assigned_units(group: Group, month: date) -> list[Unit]:
    """Units assigned to the group at some time during the month."""
    return [
        assignment.unit
        for assignment in group.assignments.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=month),
            starts_on__lte=rules.month_end(month),
        )
        .select_related("unit")
        .order_by("unit__path")
    ]


def plan(group: Group, month: date, today: date) -> list[rules.PlannedStay]:
    """The planner's proposal for the rest of the month (held and planned days are busy)."""
    data = group_month(group, month, today)
    busy = data.days | rules.days_on_site(((v.start_date, v.end_date) for v in data.planned), month)
    visited = {unit.pk for unit in data.units if unit not in data.unvisited}
    planned_units = {visit.unit_id for visit in data.planned}
    return rules.plan_month(
        month=month,
        today=today,
        minimum=group.min_days,
        unit_ids=[unit.pk for unit in data.units if unit.pk not in planned_units],
        busy=busy,
        visited=visited,
    )


@dataclass
class Coverage:
    """Who covers each unit that must be covered (the campaign unit's children) on a day."""

    day: date
    rows: list[tuple[Unit, list[Group]]] = field(default_factory=list)

    @property
    def gaps(self) -> list[Unit]:
        return [unit for unit, groups in self.rows if not groups]

    @property
    def overlaps(self) -> list[tuple[Unit, list[Group]]]:
        return [(unit, groups) for unit, groups in self.rows if len(groups) > 1]


def coverage(user, campaign: Campaign, day: date) -> Coverage:
    """Every unit directly under the campaign's unit must be covered by exactly one group (an
    assignment on the unit or on one of its ancestors inside the campaign)."""
    units = list(
        Unit.objects.filter(
            scope.within(user, SupervisionPerm.VIEW, "path"),
            parent=campaign.unit,
            is_active=True,
        ).order_by("sort_order", "name")
    )
    assignments = (
        Assignment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
            group__campaign=campaign,
            starts_on__lte=day,
        )
        .select_related("group", "unit")
        .order_by("group_id")
    )
    by_path: dict[str, list[Group]] = defaultdict(list)
    for assignment in assignments:
        by_path[assignment.unit.path].append(assignment.group)
    result = Coverage(day=day)
    for unit in units:
        groups: dict[int, Group] = {}
        for path, path_groups in by_path.items():
            # An assignment on the unit, an ancestor (inside the campaign) or a descendant all
            # count: a descendant-only assignment is partial cover, still a group at work there.
            if unit.path.startswith(path) or path.startswith(unit.path):
                for group in path_groups:
                    groups[group.pk] = group
        result.rows.append((unit, list(groups.values())))
    return result


@dataclass
class UnitMonthCover:
    """Who covered a unit during a month: every group that did on some day, and the days with
    no group (gap) or with more than one (overlap)."""

    unit: Unit
    groups: list[Group]
    gap_days: list[date]
    overlap_days: list[date]


def month_unit_coverage(user, campaign: Campaign, month: date) -> list[UnitMonthCover]:
    """``coverage`` over each day of the month that falls in the campaign (two queries): a
    handover mid-month shows as the days it left uncovered or doubly covered."""
    first = max(month, campaign.start_date)
    last = min(rules.month_end(month), campaign.end_date)
    units = list(
        Unit.objects.filter(
            scope.within(user, SupervisionPerm.VIEW, "path"),
            parent=campaign.unit,
            is_active=True,
        ).order_by("sort_order", "name")
    )
    assignments = list(
        Assignment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=first),
            group__campaign=campaign,
            starts_on__lte=last,
        )
        .select_related("group", "unit")
        .order_by("group_id", "starts_on")
    )
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    result = []
    for unit in units:
        mine = [
            a
            for a in assignments
            if unit.path.startswith(a.unit.path) or a.unit.path.startswith(unit.path)
        ]
        working: set[int] = set()
        gaps, overlaps = [], []
        for day in days:
            covering = {a.group_id for a in mine if a.covers(day)}
            if not covering:
                gaps.append(day)
            elif len(covering) > 1:
                overlaps.append(day)
            working |= covering
        groups = {a.group_id: a.group for a in mine if a.group_id in working}
        result.append(UnitMonthCover(unit, list(groups.values()), gaps, overlaps))
    return result


def month_coverage(user, campaign: Campaign, month: date, today: date) -> list[GroupMonth]:
    """Every group of the campaign the user may see, with its days in the month."""
    groups = groups_visible_to(user).filter(campaign=campaign).order_by("id")
    return [group_month(group, month, today) for group in groups]


def checklist(group: Group, month: date) -> list[tuple[str, str, ChecklistEntry | None]]:
    """The six duties of a month, each with its entry if recorded."""
    entries = {entry.duty: entry for entry in group.checklist.filter(month=month)}
    return [(duty.value, duty.label, entries.get(duty.value)) for duty in Duty]


def incomplete_months(group: Group, today: date) -> list[tuple[date, int]]:
    """Months from the group's first assignment to the last complete one (before this month)
    with fewer than six duties recorded, and how many are missing."""
    first = group.assignments.order_by("starts_on").values_list("starts_on", flat=True).first()
    if first is None:
        return []
    counts = dict(
        group.checklist.values_list("month").annotate(n=Count("id")).values_list("month", "n")
    )
    months = []
    month = rules.month_of(first)
    current = rules.month_of(today)
    while month < current:
        done = counts.get(month, 0)
        if done < len(Duty):
            months.append((month, len(Duty) - done))
        month = rules.next_month(month)
    return months


def unit_visits(user, unit: Unit) -> QuerySet[Visit]:
    return (
        visits_visible_to(user)
        .filter(scope.prefix_q("unit_path", unit.path))
        .select_related("group", "unit")
        .order_by("-start_date", "-id")
    )


def unit_scores(user, unit: Unit) -> QuerySet[Scorecard]:
    """A unit's scorecards over time (its subtree's)."""
    return (
        Scorecard.objects.filter(
            scope.within(user, SupervisionPerm.VIEW, "unit_path"),
            scope.prefix_q("unit_path", unit.path),
        )
        .select_related("unit", "visit__group")
        .order_by("visited_on", "id")
    )


def ranking(user, campaign: Campaign, start: date, end: date) -> list[dict]:
    """Units ranked by their average score over the period (one grouped query)."""
    rows = (
        Scorecard.objects.filter(
            scope.within(user, SupervisionPerm.VIEW, "unit_path"),
            scope.prefix_q("unit_path", campaign.unit.path),
            visited_on__gte=start,
            visited_on__lte=end,
        )
        .values("unit_id", "unit__name")
        .annotate(average=Avg("total"), cards=Count("id"))
        .order_by("-average", "unit__name")
    )
    return [
        {
            "rank": index + 1,
            "unit_id": row["unit_id"],
            "unit_name": row["unit__name"],
            "average": round(float(row["average"]), 1),
            "cards": row["cards"],
        }
        for index, row in enumerate(rows)
    ]


@dataclass
class OrderFilters:
    unit: Unit | None = None
    state: str = ""
    colour: str = ""
    group: int | None = None
    q: str = ""


def orders(user, filters: OrderFilters | None = None) -> QuerySet[Order]:
    filters = filters or OrderFilters()
    rows = orders_visible_to(user)
    if filters.unit is not None:
        rows = rows.filter(scope.prefix_q("unit_path", filters.unit.path))
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.colour:
        rows = rows.filter(colour=filters.colour).exclude(state="closed")
    if filters.group:
        rows = rows.filter(group_id=filters.group)
    if filters.q:
        rows = rows.filter(Q(problem__contains=filters.q) | Q(number__contains=filters.q))
    # Open orders first, by deadline; closed ones after them.
    closed_last = Case(When(state=OrderState.CLOSED, then=1), default=0)
    return rows.select_related("unit", "group", "contact").order_by(closed_last, "deadline", "id")
