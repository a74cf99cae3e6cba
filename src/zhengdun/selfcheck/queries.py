"""Read side of self-inspection: every query takes the viewer and goes through scope."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Unit
from zhengdun.selfcheck.models import (
    Bucket,
    Dimension,
    Item,
    LedgerTally,
    Measure,
    Report,
    ReportKind,
    ReportState,
    Round,
)
from zhengdun.selfcheck.permissions import SelfcheckPerm, own_person, reports_visible_to


def _subtree(path: str, field_path: str = "unit_path", field_branch: str = "branch") -> Q:
    if len(path) == 2 * PATH_STEP:
        return Q(**{field_branch: path})
    return scope.prefix_q(field_path, path)


def reports_in_round(
    user, round_: Round, *, unit: Unit | None = None, kind: str = "", state: str = ""
) -> QuerySet[Report]:
    reports = reports_visible_to(user).filter(round=round_)
    if unit is not None:
        reports = reports.filter(_subtree(unit.path))
    if kind:
        reports = reports.filter(kind=kind)
    if state:
        reports = reports.filter(state=state)
    return reports.select_related("unit", "person").order_by(
        "unit_path", "kind", "person__name", "id"
    )


def my_reports(user) -> QuerySet[Report]:
    """The user's own personal reports and the unit reports they write, newest round first."""
    person = own_person(user)
    held = scope.scope_of(user)
    own_units = held.roots.get(SelfcheckPerm.REPORT, ())
    condition = Q(kind=ReportKind.UNIT, unit_path__in=own_units) if own_units else Q(pk__in=[])
    if person is not None:
        condition |= Q(kind=ReportKind.PERSON, person=person)
    return (
        Report.objects.filter(condition)
        .select_related("round", "unit", "person")
        .order_by("-round__opened_on", "kind", "id")
    )


def round_progress(user, round_: Round, unit: Unit) -> dict:
    """How far the reports of a unit's subtree are: counts by kind and state (one query)."""
    rows = (
        reports_visible_to(user)
        .filter(_subtree(unit.path), round=round_)
        .values("kind", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures = {kind: {state: 0 for state in ReportState.values} for kind in ReportKind.values}
    for row in rows:
        figures[row["kind"]][row["state"]] = row["n"]
    for kind in figures.values():
        kind["total"] = sum(kind.values())
    return figures


@dataclass
class LedgerFilters:
    unit: Unit | None = None
    dimension: int | None = None
    item: int | None = None
    state: str = ""
    bucket: str = ""
    colour: str = ""
    owner: int | None = None
    q: str = ""


def ledger(user, round_: Round, filters: LedgerFilters | None = None) -> QuerySet[Measure]:
    filters = filters or LedgerFilters()
    measures = Measure.objects.filter(round=round_, live=True)
    if filters.unit is not None and scope.can(user, SelfcheckPerm.VIEW, filters.unit):
        # The unit's subtree lies inside the scope, so its filter is the whole condition. With
        # the scope's path range as well, SQLite picks that range and sorts every measure of
        # the subtree instead of reading the (round, branch, deadline) index in order.
        measures = measures.filter(_subtree(filters.unit.path))
    else:
        measures = measures.filter(scope.within(user, SelfcheckPerm.VIEW, "unit_path"))
        if filters.unit is not None:
            measures = measures.filter(_subtree(filters.unit.path))
    if filters.dimension:
        measures = measures.filter(item__dimension_id=filters.dimension)
    if filters.item:
        measures = measures.filter(item_id=filters.item)
    if filters.state:
        measures = measures.filter(state=filters.state)
    if filters.bucket:
        measures = measures.filter(bucket=filters.bucket)
    if filters.colour:
        measures = measures.filter(colour=filters.colour, state__in=("open", "in_progress"))
    if filters.owner:
        measures = measures.filter(owner_id=filters.owner)
    if filters.q:
        measures = measures.filter(text__contains=filters.q)
    return measures.select_related("unit", "item", "item__dimension", "owner").order_by(
        "deadline", "id"
    )


def ledger_count(user, round_: Round, filters: LedgerFilters) -> int | None:
    """The number of measures a ledger list holds, read from the tallies (a handful of rows
    where a COUNT would read a county's tens of thousands of measures), or None when the
    filters need a real count."""
    if filters.state or filters.owner or filters.q or (filters.bucket and filters.colour):
        return None
    if filters.unit is not None:
        if not scope.can(user, SelfcheckPerm.VIEW, filters.unit):
            return None
        units = [filters.unit]
    else:
        units = list(ledger_roots(user, round_))
    rows = LedgerTally.objects.filter(round=round_, unit__in=units)
    if filters.colour:
        rows = rows.filter(kind=f"colour:{filters.colour}")
    elif filters.bucket:
        rows = rows.filter(kind=filters.bucket)
    else:
        rows = rows.filter(kind__in=Bucket.values)
    if filters.item:
        rows = rows.filter(item_id=filters.item)
    if filters.dimension:
        rows = rows.filter(item__dimension_id=filters.dimension)
    return rows.aggregate(total=Sum("count"))["total"] or 0


def ledger_roots(user, round_: Round) -> QuerySet[Unit]:
    if scope.can(user, SelfcheckPerm.VIEW, round_.unit):
        return Unit.objects.filter(pk=round_.unit_id)
    return scope.roots(user, SelfcheckPerm.VIEW).filter(scope.prefix_q("path", round_.unit.path))


def closure_rate(counts: dict) -> float | None:
    """Verified measures as a percentage of all measures in a tally, or None without any."""
    measures = sum(counts.get(bucket, 0) for bucket in Bucket.values)
    return round(100 * counts.get(Bucket.VERIFIED, 0) / measures, 1) if measures else None


def _add(into: dict, counts: dict) -> None:
    for kind, count in counts.items():
        into[kind] = into.get(kind, 0) + count


@dataclass
class HeatMap:
    """The tallies under one unit: per item and unit (the cells), per unit (the columns'
    totals, the unit's own being ``totals``) and per dimension of the unit's subtree."""

    unit: Unit
    items: list[Item]
    columns: list[Unit]
    # cells[(item_id, unit_id)] = {"finding": n, "rectifying": n, "overdue": n, ...}
    cells: dict
    totals: dict
    column_totals: dict  # unit_id -> counts over every item
    dimensions: list[tuple[Dimension, dict]]  # the unit's counts by dimension, in order

    @property
    def closure_rate(self) -> float | None:
        return closure_rate(self.totals)


def heat_map(user, round_: Round, unit: Unit) -> HeatMap:
    """The catalogue's items against the unit's visible children (and the unit itself as a
    total), from the tallies: a few small queries whatever the size of the ledger."""
    items = list(
        Item.objects.filter(dimension__catalogue_id=round_.catalogue_id)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )
    columns = list(
        scope.units(user, SelfcheckPerm.VIEW).filter(parent=unit).order_by("sort_order", "name")
    )
    dimension_of = {item.pk: item.dimension for item in items}
    cells: dict = {}
    column_totals: dict = {}
    by_dimension: dict = {}
    rows = LedgerTally.objects.filter(round=round_, unit__in=[unit, *columns]).values_list(
        "item_id", "unit_id", "kind", "count"
    )
    for item_id, unit_id, kind, count in rows:
        cells.setdefault((item_id, unit_id), {})[kind] = count
        _add(column_totals.setdefault(unit_id, {}), {kind: count})
        if unit_id == unit.pk:
            _add(by_dimension.setdefault(dimension_of[item_id].pk, {}), {kind: count})
    dimensions = list({item.dimension.pk: item.dimension for item in items}.values())
    return HeatMap(
        unit=unit,
        items=items,
        columns=columns,
        cells=cells,
        totals=column_totals.get(unit.pk, {}),
        column_totals=column_totals,
        dimensions=[(dimension, by_dimension.get(dimension.pk, {})) for dimension in dimensions],
    )
