"""Where campaigns plug into the organisation: a section on the unit page (incentives and
accountability measures) and the move hook that keeps tasks' unit paths in step."""

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from zhengdun.campaigns.models import Task
from zhengdun.campaigns.permissions import CampaignPerm
from zhengdun.campaigns.queries import incentives_for
from zhengdun.campaigns.tally import recount
from zhengdun.org import extensions, scope
from zhengdun.org.models import PATH_STEP


def incentives_section(request, unit):
    if not scope.can(request.user, CampaignPerm.VIEW, unit):
        return None
    awards = list(incentives_for(request.user, unit)[:50])
    return {"template": "campaigns/_unit_incentives.html", "awards": awards, "unit": unit}


extensions.add_unit_section(incentives_section)


def _move_tasks(old_path: str, new_path: str) -> None:
    """Keep the tasks' copies of unit paths in step with a moved subtree, and recount."""
    moved = Task.objects.filter(scope.prefix_q("unit_path", old_path))
    campaigns = set(moved.values_list("campaign_id", flat=True).distinct())
    moved.update(unit_path=Concat(Value(new_path), Substr("unit_path", len(old_path) + 1)))
    Task.objects.filter(scope.prefix_q("unit_path", new_path)).update(
        branch=Substr("unit_path", 1, 2 * PATH_STEP)
    )
    for campaign_id in campaigns:
        recount(campaign_id)


extensions.add_move_hook(_move_tasks)
