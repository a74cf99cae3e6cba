from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "zhengdun.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # Registering: tick jobs, the unit page section and move hook, the demo loader.
        from zhengdun.campaigns import demo, jobs, sections  # noqa: F401
        from zhengdun.campaigns.permissions import CampaignPerm
        from zhengdun.core.nav import NavItem, register
        from zhengdun.org.roles import Role, extend

        everyone = {CampaignPerm.VIEW}
        extend(Role.ADMIN, {*everyone, *CampaignPerm.WRITES}, write=True)
        extend(Role.OFFICE, {*everyone, *CampaignPerm.WRITES}, write=True)
        extend(
            Role.UNIT_LEADER,
            {*everyone, CampaignPerm.MANAGE, CampaignPerm.INCENTIVE},
            write=True,
        )
        extend(Role.LIAISON, {*everyone, CampaignPerm.MANAGE}, write=True)
        for role in (Role.SUPERVISOR, Role.INSPECTOR, Role.OFFICER, Role.VIEWER):
            extend(role, everyone)
        register(
            NavItem("campaigns:campaign_list", _("Campaigns"), perm=CampaignPerm.VIEW, order=20)
        )
        register(NavItem("campaigns:my_tasks", _("My tasks"), perm=CampaignPerm.VIEW, order=21))
