"""Who may see and do what in self-inspection.

Unit reports and the ledger are seen through the usual scope. A personal report is seen only
by the person and the chain of leaders above them (unit_leader grants covering their unit).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from zhengdun.core.ids import id_or_404
from zhengdun.org import scope
from zhengdun.org.models import ancestor_paths
from zhengdun.selfcheck.models import Measure, Report, ReportKind, Round


class SelfcheckPerm:
    VIEW = "selfcheck.view"  # unit reports, the ledger, the heat map
    PLAN = "selfcheck.plan"  # open rounds, version the catalogue, see formalism signals
    REPORT = "selfcheck.report"  # fill in and submit a unit's report
    LEAD = "selfcheck.lead"  # read and return the personal reports of the people below
    VERIFY = "selfcheck.verify"  # verify or reject completed measures


def own_person(user):
    return getattr(user, "person", None) if user.is_authenticated else None


def rounds_visible_to(user):
    """Rounds over a tree that overlaps the user's scope, or in which they report personally."""
    rounds = Round.objects.select_related("unit", "catalogue")
    held = scope.scope_of(user)
    if held.everywhere:
        return rounds
    paths = set(held.roots.get(SelfcheckPerm.VIEW, ()))
    person = own_person(user)
    condition = scope.within(user, SelfcheckPerm.VIEW, "unit__path")
    ancestors = {prefix for path in paths for prefix in ancestor_paths(path)}
    if ancestors:
        condition |= Q(unit__path__in=ancestors)
    if person is not None:
        condition |= Q(reports__person=person)
    return rounds.filter(condition).distinct()


def reports_visible_to(user):
    """Unit reports in the user's scope or of the units the user serves in; personal reports of
    the user and, for leaders, of the people below them."""
    person = own_person(user)
    condition = Q(kind=ReportKind.UNIT) & scope.within(user, SelfcheckPerm.VIEW, "unit_path")
    condition |= Q(kind=ReportKind.PERSON) & scope.within(user, SelfcheckPerm.LEAD, "unit_path")
    if person is not None:
        condition |= Q(kind=ReportKind.PERSON, person=person)
        # Members read the reports of their own unit and the units above it, to comment on them.
        condition |= Q(kind=ReportKind.UNIT, unit__path__in=ancestor_paths(person.unit.path))
    return Report.objects.filter(condition)


def may_edit(user, report: Report) -> bool:
    """The person writes their own report; the unit's leaders and liaisons write the unit's."""
    if report.kind == ReportKind.PERSON:
        person = own_person(user)
        return person is not None and report.person_id == person.pk
    return scope.can(user, SelfcheckPerm.REPORT, report.unit)


def may_return(user, report: Report) -> bool:
    """The superior: the office, or a leader above (for a unit: of a unit strictly above)."""
    if report.kind == ReportKind.PERSON:
        person = own_person(user)
        if person is not None and report.person_id == person.pk:
            return False
        return scope.can(user, SelfcheckPerm.LEAD, report.unit) or scope.can(
            user, SelfcheckPerm.PLAN, report.unit
        )
    if scope.can(user, SelfcheckPerm.PLAN, report.unit):
        return True
    parent = report.unit.parent
    return parent is not None and scope.can(user, SelfcheckPerm.LEAD, parent)


def get_report_for_user(user, pk, *, write: bool = False) -> Report:
    report = (
        reports_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related(
            "round", "round__catalogue", "unit", "unit__parent", "person", "person__user"
        )
        .first()
    )
    if report is None:
        raise Http404
    if write and not may_edit(user, report):
        raise PermissionDenied
    return report


def get_round_for_user(user, pk, *, write: bool = False) -> Round:
    found = rounds_visible_to(user).filter(pk=id_or_404(pk)).first()
    if found is None:
        raise Http404
    if write and not scope.can(user, SelfcheckPerm.PLAN, found.unit):
        raise PermissionDenied
    return found


def measures_visible_to(user):
    return Measure.objects.filter(scope.within(user, SelfcheckPerm.VIEW, "unit_path"), live=True)


def get_measure_for_user(user, pk) -> Measure:
    person = own_person(user)
    visible = scope.within(user, SelfcheckPerm.VIEW, "unit_path")
    if person is not None:
        visible |= Q(owner=person)
    measure = (
        Measure.objects.filter(visible, pk=id_or_404(pk), live=True)
        .select_related("round", "item", "item__dimension", "unit", "owner", "answer__report")
        .first()
    )
    if measure is None:
        raise Http404
    return measure
