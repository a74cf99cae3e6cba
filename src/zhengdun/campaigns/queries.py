"""Read side of campaigns: every query takes the viewer and goes through scope."""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from zhengdun.campaigns import tally
from zhengdun.campaigns.models import (
    COLOUR_RANK,
    OPEN_STATES,
    Campaign,
    Colour,
    Incentive,
    Task,
    TaskDueTally,
    TaskTally,
    Workstream,
)
from zhengdun.campaigns.permissions import CampaignPerm
from zhengdun.core import textsearch
from zhengdun.core.pagination import IdsFirst
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Person, Unit
from zhengdun.org.roles import Perm


@dataclass
class TaskFilters:
    workstream: int | None = None
    unit: Unit | None = None
    state: str = ""
    colour: str = ""
    due_from: date | None = None
    due_to: date | None = None
    lead: int | None = None
    q: str = ""

    @property
    def dated(self) -> bool:
        return bool(self.due_from or self.due_to)

    def tally_compatible(self) -> bool:
        """Whether the count can be read from the tallies instead of counting rows: the
        due-date tallies have no workstream or colour, no tally has a lead or a title."""
        if self.lead or self.q:
            return False
        return not (self.dated and (self.workstream or self.colour))


def _subtree(path: str) -> Q:
    # A second-level unit (county bureau) is one value of the indexed branch column.
    if len(path) == 2 * PATH_STEP:
        return Q(branch=path)
    return scope.prefix_q("unit_path", path)


# "Open" spelled out in the SQL, as the partial indexes on open tasks spell it: SQLite uses a
# partial index only when the query repeats its condition literally, and the ORM would pass the
# states as parameters.
_OPEN_STATES_SQL = ", ".join(f"'{state}'" for state in OPEN_STATES)
_OPEN = RawSQL(
    f'"{Task._meta.db_table}"."state" IN ({_OPEN_STATES_SQL})', [], output_field=BooleanField()
)


def _visible(user, unit: Unit | None) -> Q:
    """The scope condition, narrowed to the unit's subtree if one is given. A subtree that is
    the whole condition (the unit lies in the scope, or the scope is that one subtree) is
    filtered alone, a county by its ``branch``: an equality that an index can serve in due
    order, where a path range makes the database sort the whole subtree."""
    if unit is not None and scope.can(user, CampaignPerm.VIEW, unit):
        return _subtree(unit.path)
    condition = scope.within(user, CampaignPerm.VIEW, "unit_path")
    if unit is not None:
        return condition & _subtree(unit.path)
    held = scope.scope_of(user)
    roots = held.roots.get(CampaignPerm.VIEW, ())
    if len(roots) == 1 and not held.everywhere and CampaignPerm.VIEW not in held.whole_tree:
        return _subtree(roots[0])
    return condition


def tasks_visible_to(
    user, campaign: Campaign, filters: TaskFilters | None = None
) -> QuerySet[Task]:
    filters = filters or TaskFilters()
    tasks = Task.objects.filter(_visible(user, filters.unit), campaign=campaign)
    if filters.workstream:
        tasks = tasks.filter(workstream_id=filters.workstream)
    if filters.state == "open":
        tasks = tasks.filter(_OPEN)
    elif filters.state:
        tasks = tasks.filter(state=filters.state)
    if filters.colour:
        tasks = tasks.filter(colour=filters.colour, state__in=OPEN_STATES)
    if filters.due_from:
        tasks = tasks.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        tasks = tasks.filter(due_date__lte=filters.due_to)
    if filters.lead:
        tasks = tasks.filter(lead_id=filters.lead)
    if filters.q:
        tasks = tasks.filter(textsearch.contains(Task, "title", filters.q))
    return tasks.select_related("unit", "workstream", "lead").order_by("due_date", "id")


def count_from_tallies(user, campaign: Campaign, filters: TaskFilters) -> int | None:
    """The number of tasks a filtered list holds, read from the tallies, or None when the
    filters need a real count."""
    if not filters.tally_compatible():
        return None
    # The subtrees the list covers, by path: the user's own roots need no query of their own.
    paths = [filters.unit.path] if filters.unit is not None else scope_root_paths(user, campaign)
    if filters.dated:
        if any(len(path) > tally.DUE_DEPTH * PATH_STEP for path in paths):
            return None  # a smaller subtree: counted from its rows
        rows = TaskDueTally.objects.filter(campaign=campaign, unit__path__in=paths)
        if filters.due_from:
            rows = rows.filter(due_date__gte=filters.due_from)
        if filters.due_to:
            rows = rows.filter(due_date__lte=filters.due_to)
    else:
        rows = TaskTally.objects.filter(campaign=campaign, unit__path__in=paths)
    if filters.workstream:
        rows = rows.filter(workstream_id=filters.workstream)
    if filters.state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif filters.state:
        rows = rows.filter(state=filters.state)
    if filters.colour:
        rows = rows.filter(colour=filters.colour, state__in=OPEN_STATES)
    total = sum(rows.values_list("count", flat=True))
    # Below zero only if the tallies are out of step (the tick repairs them): count the rows.
    return total if total >= 0 else None


def scope_root_paths(user, campaign: Campaign) -> list[str]:
    """The paths at which the user's view of the campaign starts: the campaign's unit if it
    lies in their scope, otherwise their own top units inside the campaign (no query)."""
    if scope.can(user, CampaignPerm.VIEW, campaign.unit):
        return [campaign.unit.path]
    held = scope.scope_of(user).roots.get(CampaignPerm.VIEW, ())
    return [path for path in held if path.startswith(campaign.unit.path)]


def scope_roots(user, campaign: Campaign) -> QuerySet[Unit]:
    """The units of ``scope_root_paths``."""
    return Unit.objects.filter(path__in=scope_root_paths(user, campaign))


def _colour_of(totals: dict) -> str:
    colours = totals["colours"]
    for colour in (Colour.RED, Colour.YELLOW, Colour.GREEN):
        if colours.get(colour):
            return colour
    return Colour.NONE


@dataclass
class Overview:
    unit: Unit
    totals: dict
    colour: str
    by_workstream: list[dict]
    by_unit: list[dict]


def overview(user, campaign: Campaign, unit: Unit) -> Overview:
    """Counts by state and colour for a unit's subtree, by workstream and by child unit, from
    the tallies: a bounded number of small queries whatever the number of tasks. The caller
    has checked that the user sees ``unit``."""
    rows = TaskTally.objects.filter(campaign=campaign)
    own = list(tally.summed(rows.filter(unit=unit), "workstream_id"))
    totals = tally.totals(own)
    workstreams = list(campaign.workstreams.all())
    by_workstream = []
    for workstream in workstreams:
        figures = tally.totals(row for row in own if row["workstream_id"] == workstream.pk)
        by_workstream.append({"workstream": workstream, "colour": _colour_of(figures), **figures})
    children = list(
        scope.units(user, CampaignPerm.VIEW).filter(parent=unit).order_by("sort_order", "name")
    )
    child_rows = list(tally.summed(rows.filter(unit__in=children), "unit_id"))
    by_unit = []
    for child in children:
        figures = tally.totals(row for row in child_rows if row["unit_id"] == child.pk)
        if figures["total"]:
            by_unit.append({"unit": child, "colour": _colour_of(figures), **figures})
    by_unit.sort(
        key=lambda row: (-COLOUR_RANK[row["colour"]], row["unit"].sort_order, row["unit"].name)
    )
    return Overview(
        unit=unit,
        totals=totals,
        colour=_colour_of(totals),
        by_workstream=by_workstream,
        by_unit=by_unit,
    )


def family_of(user, task: Task) -> list[Task]:
    """The task's decomposition tree (from its root), as far as the user may see, in tree
    order with a ``level`` attribute for indenting."""
    members = list(
        Task.objects.filter(
            scope.within(user, CampaignPerm.VIEW, "unit_path"), root_id=task.root_id
        )
        .select_related("unit", "lead")
        .order_by("id")
    )
    by_parent: dict[int | None, list[Task]] = {}
    known = {member.pk for member in members}
    for member in members:
        parent = member.parent_id if member.parent_id in known else None
        by_parent.setdefault(parent, []).append(member)
    ordered: list[Task] = []

    def walk(parent, level):
        for child in sorted(by_parent.get(parent, []), key=lambda t: (t.unit_path, t.id)):
            child.level = level
            ordered.append(child)
            walk(child.pk, level + 1)

    walk(None, 0)
    return ordered


def my_tasks(user) -> QuerySet[Task]:
    """Open tasks the user leads, and open tasks held by the units they run (as liaison or
    leader) themselves, soonest due first."""
    person = getattr(user, "person", None)
    held = scope.scope_of(user)
    own_units = set(held.roots.get(CampaignPerm.MANAGE, ()))
    condition = Q(unit_path__in=own_units) if own_units else Q(pk__in=[])
    if person is not None:
        condition |= Q(lead=person)
    return (
        Task.objects.filter(
            condition, scope.within(user, CampaignPerm.VIEW, "unit_path"), state__in=OPEN_STATES
        )
        .select_related("campaign", "unit", "workstream", "lead")
        .order_by("due_date", "id")
    )


def incentives_for(user, unit: Unit) -> QuerySet[Incentive]:
    return (
        Incentive.objects.filter(scope.within(user, CampaignPerm.VIEW), unit=unit)
        .select_related("level", "person", "task", "level__campaign")
        .order_by("-awarded_on", "-id")
    )


def leads_for(user, unit: Unit) -> QuerySet[Person]:
    """People who may lead a task of ``unit``: active people of its bureau the user may see."""
    return (
        Person.objects.filter(scope.within(user, Perm.VIEW_ORG), status="active")
        .filter(scope.prefix_q("unit__path", unit.path[: 2 * PATH_STEP]))
        .select_related("unit")
        .order_by("name")
    )


def workstreams_of(campaign: Campaign) -> QuerySet[Workstream]:
    return campaign.workstreams.all()


def counted(queryset: QuerySet, count: int | None) -> IdsFirst:
    """A task list for the paginator: its count from the tallies when they can give it, its
    page read ids first (deep pages of a million tasks)."""
    return IdsFirst(queryset, count)
