"""Read side of the organisation: every query takes the viewer and goes through scope."""

from django.db.models import Count, Q, QuerySet

from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Grant, Person, Unit, ancestor_paths
from zhengdun.org.roles import Perm


def units_visible_to(
    user,
    *,
    under: Unit | None = None,
    kind: str = "",
    sector: str = "",
    q: str = "",
    include_inactive: bool = False,
) -> QuerySet[Unit]:
    units = scope.units(user, Perm.VIEW_ORG)
    if under is not None:
        units = units.filter(scope.prefix_q("path", under.path))
    if kind:
        units = units.filter(kind=kind)
    if sector:
        units = units.filter(sector=sector)
    if q:
        units = units.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q)
        )
    if not include_inactive:
        units = units.filter(is_active=True)
    return units.select_related("parent").order_by("path")


def children_of(user, unit: Unit | None) -> QuerySet[Unit]:
    """Visible children of ``unit`` (or the user's top units), each with child and people counts."""
    if unit is None:
        units = scope.roots(user, Perm.VIEW_ORG)
    else:
        units = scope.units(user, Perm.VIEW_ORG).filter(parent=unit)
    return units.annotate(
        child_count=Count("children", distinct=True),
        people_count=Count("people", distinct=True),
    ).order_by("sort_order", "name")


def people_visible_to(
    user,
    *,
    under: Unit | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Person]:
    people = Person.objects.filter(scope.within(user, Perm.VIEW_ORG))
    if under is not None:
        people = people.filter(scope.prefix_q("unit__path", under.path))
    if status:
        people = people.filter(status=status)
    if q:
        # Chinese has no letter case; police numbers are stored upper-case. Case-sensitive
        # matching spares PostgreSQL an UPPER() of three columns on every row in scope.
        people = people.filter(
            Q(name__contains=q) | Q(police_number__startswith=q.upper()) | Q(position__contains=q)
        )
    return people.select_related("unit")


def grants_on(user, unit: Unit) -> QuerySet[Grant]:
    """Role grants held on ``unit`` itself, for its page."""
    return (
        Grant.objects.filter(scope.within(user, Perm.VIEW_ORG), unit=unit)
        .select_related("user", "user__person")
        .order_by("role", "user__username")
    )


def grants_of(user, person: Person) -> QuerySet[Grant]:
    if person.user_id is None:
        return Grant.objects.none()
    return (
        Grant.objects.filter(scope.within(user, Perm.VIEW_ORG), user_id=person.user_id)
        .select_related("unit")
        .order_by("unit__path", "role")
    )


def label_units_with_their_bureau(units) -> None:
    """Set ``context_name`` on each unit: its name, prefixed with its second-level ancestor
    (the county bureau or department) when it sits deeper, since every county has a
    刑事侦查大队. One query for the whole page."""
    units = list(units)
    prefix_length = 2 * PATH_STEP
    wanted = {unit.path[:prefix_length] for unit in units if unit.depth > 2}
    bureaus = {
        unit.path: unit.display_name
        for unit in Unit.objects.filter(path__in=wanted).only("path", "name", "short_name")
    }
    for unit in units:
        bureau = bureaus.get(unit.path[:prefix_length]) if unit.depth > 2 else None
        unit.context_name = f"{bureau} · {unit.display_name}" if bureau else unit.display_name


def role_holders(role: str, unit_path: str, *, nearest: bool) -> set:
    """Active users holding ``role`` on the unit or its ancestors: those at the nearest level
    that has one (the unit's own leader), or at every level (all the offices above)."""
    grants = [
        grant
        for grant in Grant.objects.filter(
            role=role, unit__path__in=ancestor_paths(unit_path)
        ).select_related("user", "unit")
        if grant.user.is_active
    ]
    if nearest and grants:
        deepest = max(len(grant.unit.path) for grant in grants)
        grants = [grant for grant in grants if len(grant.unit.path) == deepest]
    return {grant.user for grant in grants}
