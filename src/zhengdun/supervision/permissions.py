"""Who may see and do what in supervision.

Grants give the office and the units their part (a unit sees the visits to it and its own
orders). A supervision group's members get theirs from the group's current assignments: they see
and work in the units assigned to their group, and nowhere else (``scope.register_provider``).
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhengdun.core.ids import id_or_404
from zhengdun.org import scope
from zhengdun.supervision.models import Assignment, Draw, Group, Member, Order, Visit, VisitKind


class SupervisionPerm:
    VIEW = "supervision.view"  # visits to, scorecards of and orders to the units in scope
    MANAGE = "supervision.manage"  # groups, members, assignments, scorecard templates
    VISIT = "supervision.visit"  # log visits, score them, draw, issue and verify orders
    ANSWER = "supervision.answer"  # acknowledge and respond to the unit's orders


MEMBER_PERMS = (SupervisionPerm.VIEW, SupervisionPerm.VISIT)


def member_assignments(user, on: date | None = None) -> QuerySet[Assignment]:
    """The assignments current on ``on`` (today) of the groups the user is a member of: their
    units are the members' scope (read by ``scope`` in the query every request makes)."""
    on = on or timezone.localdate()
    return Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        group__members__person__user_id=user.pk,
        starts_on__lte=on,
        unit__is_active=True,
    )


def groups_visible_to(user):
    """The office's groups (MANAGE over the campaign's unit) and the user's own groups."""
    person = getattr(user, "person", None)
    condition = scope.within(user, SupervisionPerm.MANAGE, "campaign__unit__path")
    if person is not None:
        condition |= Q(members__person=person)
    return Group.objects.filter(condition).distinct()


def is_member(user, group: Group) -> bool:
    person = getattr(user, "person", None)
    return person is not None and Member.objects.filter(group=group, person=person).exists()


def may_manage(user, group: Group) -> bool:
    return scope.can(user, SupervisionPerm.MANAGE, group.campaign.unit)


def get_group_for_user(user, pk, *, write: bool = False) -> Group:
    group = (
        groups_visible_to(user).filter(pk=id_or_404(pk)).select_related("campaign__unit").first()
    )
    if group is None:
        raise Http404
    if write and not may_manage(user, group):
        raise PermissionDenied
    return group


def visits_visible_to(user):
    """Visits to the units in view. A random check still to come is not announced: until it
    is held only those who supervise the unit (VISIT) see it."""
    announced = ~Q(planned=True, kind=VisitKind.RANDOM) | scope.within(
        user, SupervisionPerm.VISIT, "unit_path"
    )
    return Visit.objects.filter(scope.within(user, SupervisionPerm.VIEW, "unit_path"), announced)


def get_visit_for_user(user, pk) -> Visit:
    visit = (
        visits_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("group", "group__campaign", "unit", "created_by")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def orders_visible_to(user):
    return Order.objects.filter(scope.within(user, SupervisionPerm.VIEW, "unit_path"))


def get_order_for_user(user, pk) -> Order:
    order = (
        orders_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("campaign", "group", "unit", "contact__user", "visit", "task", "measure")
        .first()
    )
    if order is None:
        raise Http404
    return order


def draws_visible_to(user):
    return Draw.objects.filter(scope.within(user, SupervisionPerm.VISIT, "unit_path"))


def get_draw_for_user(user, pk) -> Draw:
    draw = draws_visible_to(user).filter(pk=id_or_404(pk)).select_related("unit", "group").first()
    if draw is None:
        raise Http404
    return draw
