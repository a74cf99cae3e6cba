from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    """Drills (实战大练兵) with standards and skills competitions; knowledge, essay and speech
    contests."""

    name = "zhengdun.learning.contests"
    label = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.learning.contests import demo  # noqa: F401  (demo loader)
        from zhengdun.learning.contests.permissions import ContestPerm as P
        from zhengdun.org.roles import Role, extend

        extend(Role.ADMIN, {P.VIEW, P.RECORD, P.MANAGE}, write=True)
        extend(Role.OFFICE, {P.VIEW, P.RECORD, P.MANAGE}, write=True)
        extend(Role.UNIT_LEADER, {P.VIEW, P.RECORD}, write=True)
        extend(Role.LIAISON, {P.VIEW, P.RECORD}, write=True)
        for role in (Role.SUPERVISOR, Role.INSPECTOR, Role.OFFICER, Role.VIEWER):
            extend(role, {P.VIEW})
        register(
            NavItem(
                "contests:plan_list",
                _("Drills"),
                perm=P.VIEW,
                order=65,
                also=(
                    "contests:subject",
                    "contests:result",
                    "contests:untested",
                    "contests:competition",
                ),
            )
        )
        # Judges hold no grant for it: any signed-in user may open the list of contests,
        # which shows only those they see or judge.
        register(
            NavItem(
                "contests:contest_list",
                _("Contests"),
                perm=None,
                order=66,
                also=("contests:entry", "contests:screen", "contests:host"),
            )
        )
