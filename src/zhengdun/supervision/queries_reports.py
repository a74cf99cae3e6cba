"""Read side of the feedback reports: a visit's feedback to the unit and a group's monthly
report to the office. The caller has passed the visit's or the group's gate; each function
reads a bounded number of rows (one visit, one group's month)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q

from zhengdun.org.models import Person
from zhengdun.supervision import queries, rules
from zhengdun.supervision.models import (
    Group,
    Member,
    Order,
    OrderState,
    Scorecard,
    ScoreLine,
    Visit,
)
from zhengdun.supervision.permissions import orders_visible_to


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class VisitFeedback:
    visit: Visit
    present: list[Person]
    scorecard: Scorecard | None
    lines: list[ScoreLine]
    orders: list[Order]

    @property
    def max_weighted(self) -> int:
        return sum(line.aspect.weight for line in self.lines)


def visit_feedback(user, visit: Visit) -> VisitFeedback:
    """Who was there, the scorecard per aspect and the orders issued from the visit (four
    queries)."""
    present = list(visit.present.select_related("unit").order_by("name"))
    scorecard = (
        Scorecard.objects.filter(visit=visit).select_related("template", "scored_by").first()
    )
    lines = (
        list(scorecard.lines.select_related("aspect").order_by("aspect__order"))
        if scorecard
        else []
    )
    orders = list(
        orders_visible_to(user)
        .filter(visit=visit)
        .select_related("contact")
        .order_by("issued_on", "number")[:100]
    )
    return VisitFeedback(
        visit=visit, present=present, scorecard=scorecard, lines=lines, orders=orders
    )


@dataclass
class VisitRow:
    visit: Visit
    score: Decimal | None
    orders: int


@dataclass
class UnitScore:
    unit_name: str
    average: Decimal
    cards: int


@dataclass
class GroupReport:
    group: Group
    month: date
    cutoff: date  # the day the figures stand at: the month's end, or today in this month
    data: queries.GroupMonth
    members: list[Member]
    rows: list[VisitRow]
    average: Decimal | None
    unit_scores: list[UnitScore]
    issued: int
    closed: int
    overdue: int
    open_at_cutoff: int
    checklist: list = field(default_factory=list)

    @property
    def duties_done(self) -> int:
        return sum(1 for _duty, _label, entry in self.checklist if entry is not None)


def group_report(group: Group, month: date, today: date) -> GroupReport:
    """A group's month: days on site against its minimum, its visits and their scores, the
    orders it issued, closed and let run overdue, and the 六抓 checklist."""
    data = queries.group_month(group, month, today)
    last = rules.month_end(month)
    cutoff = min(last, today) if today >= month else month
    members = list(group.members.select_related("person", "person__unit").order_by("-is_leader"))
    visit_ids = [visit.pk for visit in data.visits]
    scores = dict(Scorecard.objects.filter(visit_id__in=visit_ids).values_list("visit_id", "total"))
    order_counts = dict(
        Order.objects.filter(visit_id__in=visit_ids)
        .values("visit_id")
        .annotate(n=Count("id"))
        .values_list("visit_id", "n")
    )
    rows = [
        VisitRow(visit=visit, score=scores.get(visit.pk), orders=order_counts.get(visit.pk, 0))
        for visit in sorted(data.visits, key=lambda v: (v.start_date, v.pk))
    ]
    in_month = Scorecard.objects.filter(visit__group=group, visit__planned=False).filter(
        visited_on__gte=month, visited_on__lte=last
    )
    average = _one_decimal(in_month.aggregate(average=Avg("total"))["average"])
    unit_scores = [
        UnitScore(row["unit__name"], _one_decimal(row["average"]), row["cards"])
        for row in in_month.values("unit_id", "unit__name")
        .annotate(average=Avg("total"), cards=Count("id"))
        .order_by("-average", "unit__name")
    ]
    orders = group.orders.all()
    figures = orders.aggregate(
        issued=Count("id", filter=Q(issued_on__gte=month, issued_on__lte=last)),
        closed=Count("id", filter=Q(closed_on__gte=month, closed_on__lte=last)),
        # Issued by the cutoff and not closed by then; overdue when the deadline has passed.
        open_at_cutoff=Count(
            "id",
            filter=Q(issued_on__lte=cutoff)
            & (~Q(state=OrderState.CLOSED) | Q(closed_on__gt=cutoff)),
        ),
        overdue=Count(
            "id",
            filter=Q(issued_on__lte=cutoff, deadline__lt=cutoff)
            & (~Q(state=OrderState.CLOSED) | Q(closed_on__gt=cutoff)),
        ),
    )
    return GroupReport(
        group=group,
        month=month,
        cutoff=cutoff,
        data=data,
        members=members,
        rows=rows,
        average=average,
        unit_scores=unit_scores,
        checklist=queries.checklist(group, month),
        **figures,
    )
