from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "zhengdun.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.org import scope
        from zhengdun.org.roles import Role, extend
        from zhengdun.supervision import demo, jobs  # noqa: F401  (tick jobs, demo loader)
        from zhengdun.supervision.permissions import MEMBER_PERMS, member_assignments
        from zhengdun.supervision.permissions import SupervisionPerm as P

        extend(Role.ADMIN, {P.VIEW, P.MANAGE, P.VISIT, P.ANSWER}, write=True)
        extend(Role.OFFICE, {P.VIEW, P.MANAGE, P.VISIT}, write=True)
        extend(Role.UNIT_LEADER, {P.VIEW, P.ANSWER}, write=True)
        extend(Role.LIAISON, {P.VIEW, P.ANSWER}, write=True)
        extend(Role.INSPECTOR, {P.VIEW})
        extend(Role.VIEWER, {P.VIEW})
        # Supervisors hold nothing here by their grant: their group's assignments give it.
        scope.register_provider(MEMBER_PERMS, member_assignments)
        register(
            NavItem(
                "supervision:group_list",
                _("Supervision"),
                perm=P.VIEW,
                order=40,
                also=("supervision:group", "supervision:visit", "supervision:draw"),
            )
        )
        register(
            NavItem(
                "supervision:order_list",
                _("Follow-up orders"),
                perm=P.VIEW,
                order=41,
                also=("supervision:order",),
            )
        )
