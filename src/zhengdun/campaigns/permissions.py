"""Campaign permissions and the gates for campaign objects."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from zhengdun.campaigns.models import Campaign, Evidence, Task
from zhengdun.core.ids import id_or_404
from zhengdun.org import scope
from zhengdun.org.models import ancestor_paths


class CampaignPerm:
    VIEW = "campaigns.view"
    # Plan campaigns, assign tasks anywhere below (skipping levels), override the completion
    # guard, templates and imports: the campaign office.
    PLAN = "campaigns.plan"
    # Run a unit's own tasks: decompose to direct subunits, report progress, complete.
    MANAGE = "campaigns.manage"
    # Award incentives and record accountability measures.
    INCENTIVE = "campaigns.incentive"
    WRITES = (PLAN, MANAGE, INCENTIVE)


def campaigns_visible_to(user):
    """Campaigns whose home unit's tree overlaps the user's scope: the campaign's unit is in
    scope, or the user's scope lies inside the campaign's unit."""
    campaigns = Campaign.objects.select_related("unit")
    held = scope.scope_of(user)
    if held.everywhere or CampaignPerm.VIEW in held.whole_tree:
        return campaigns
    roots = held.roots.get(CampaignPerm.VIEW, ())
    if not roots:
        return campaigns.none()
    return campaigns.filter(
        scope.within(user, CampaignPerm.VIEW, "unit__path") | _ancestors_of_any("unit__path", roots)
    )


def _ancestors_of_any(field: str, paths) -> Q:
    prefixes = {prefix for path in paths for prefix in ancestor_paths(path)}
    return Q(**{f"{field}__in": prefixes})


def get_campaign_for_user(user, pk, *, write: bool = False) -> Campaign:
    campaign = campaigns_visible_to(user).filter(pk=id_or_404(pk)).first()
    if campaign is None:
        raise Http404
    if write and not scope.can(user, CampaignPerm.PLAN, campaign.unit):
        raise PermissionDenied
    return campaign


def get_task_for_user(user, pk, *, write: bool = False) -> Task:
    task = (
        Task.objects.filter(scope.within(user, CampaignPerm.VIEW, "unit_path"), pk=id_or_404(pk))
        .select_related("campaign", "workstream", "unit", "lead", "parent", "parent__unit")
        .first()
    )
    if task is None:
        raise Http404
    if write and not may_run(user, task):
        raise PermissionDenied
    return task


def may_run(user, task: Task) -> bool:
    """Whether the user may work on the task: manage rights on its unit, or being its lead."""
    if scope.can(user, CampaignPerm.MANAGE, task.unit) or scope.can(
        user, CampaignPerm.PLAN, task.unit
    ):
        return True
    person = getattr(user, "person", None) if user.is_authenticated else None
    return person is not None and task.lead_id == person.pk


def get_evidence_for_user(user, pk) -> Evidence:
    evidence = (
        Evidence.objects.filter(
            scope.within(user, CampaignPerm.VIEW, "update__task__unit_path"), pk=id_or_404(pk)
        )
        .select_related("update__task")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence
