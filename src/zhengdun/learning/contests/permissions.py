"""Who may see and do what in drills and contests.

Organisers (the office, administrators) hold MANAGE on the plan's or contest's unit. Unit
leaders and liaisons RECORD the drill results of their own subtree. Everyone with a role sees
(VIEW) the plans and contests that cover their units, and the results inside their scope only:
a county liaison never sees another county's results. Judges are named persons on a contest;
they see that contest (and only their own scores until it is closed) whatever their grants.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from zhengdun.core.ids import id_or_404
from zhengdun.learning.contests.models import Contest, DrillPlan, Judge
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, ancestor_paths


class ContestPerm:
    VIEW = "contests.view"
    RECORD = "contests.record"  # drill results of the units in scope
    MANAGE = "contests.manage"  # plans, standards, competitions, contests, judges, awards


def covering(user, perm: str, field: str = "unit_path") -> Q:
    """Rows whose unit is in the user's scope, or above it (a city-wide plan covers the
    county a liaison works in)."""
    held = scope.scope_of(user)
    roots = held.roots.get(perm, ())
    above = {prefix for root in roots for prefix in ancestor_paths(root)}
    return scope.within(user, perm, field) | Q(**{f"{field}__in": above})


def plans_visible_to(user):
    return DrillPlan.objects.filter(covering(user, ContestPerm.VIEW))


def may_manage(user, unit) -> bool:
    return scope.can(user, ContestPerm.MANAGE, unit)


def get_plan_for_user(user, pk, *, write: bool = False) -> DrillPlan:
    plan = (
        plans_visible_to(user).filter(pk=id_or_404(pk)).select_related("unit", "campaign").first()
    )
    if plan is None:
        raise Http404
    if write and not may_manage(user, plan.unit):
        raise PermissionDenied
    return plan


def may_record(user, plan: DrillPlan, person: Person) -> bool:
    """Organisers record anyone in the plan; unit leaders and liaisons their subtree."""
    if not person.unit.path.startswith(plan.unit_path):
        return False
    return may_manage(user, plan.unit) or scope.can(user, ContestPerm.RECORD, person.unit)


def recordable_people(user, plan: DrillPlan):
    """Serving people of the plan whom the user may record results for."""
    people = Person.objects.filter(
        scope.prefix_q("unit__path", plan.unit_path), status=PersonStatus.ACTIVE
    )
    if may_manage(user, plan.unit):
        return people
    return people.filter(scope.within(user, ContestPerm.RECORD, "unit__path"))


def get_person_to_record(user, plan: DrillPlan, pk) -> Person:
    """A person the user may record results for; 404 for anyone else (another county's
    officer looks like no one)."""
    person = recordable_people(user, plan).filter(pk=id_or_404(pk)).select_related("unit").first()
    if person is None:
        raise Http404
    return person


def contests_visible_to(user):
    condition = covering(user, ContestPerm.VIEW)
    person_id = _person_id(user)
    if person_id is not None:
        condition |= Q(pk__in=Judge.objects.filter(person_id=person_id).values("contest_id"))
    return Contest.objects.filter(condition)


def _person_id(user) -> int | None:
    person = getattr(user, "person", None) if getattr(user, "pk", None) else None
    return person.pk if person is not None else None


def get_contest_for_user(user, pk, *, write: bool = False) -> Contest:
    contest = (
        contests_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("unit", "campaign")
        .first()
    )
    if contest is None:
        raise Http404
    if write and not may_manage(user, contest.unit):
        raise PermissionDenied
    return contest


def judge_of(user, contest: Contest) -> Judge | None:
    person_id = _person_id(user)
    if person_id is None:
        return None
    return (
        Judge.objects.filter(contest=contest, person_id=person_id).select_related("person").first()
    )
