from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfcheckConfig(AppConfig):
    name = "zhengdun.selfcheck"
    label = "selfcheck"
    verbose_name = _("Self-inspection")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.org.roles import Role, extend
        from zhengdun.selfcheck import demo, jobs  # noqa: F401  (registers tick jobs, demo)
        from zhengdun.selfcheck.permissions import SelfcheckPerm as P

        extend(Role.ADMIN, {P.VIEW, P.PLAN, P.REPORT, P.LEAD, P.VERIFY}, write=True)
        extend(Role.OFFICE, {P.VIEW, P.PLAN, P.VERIFY}, write=True)
        extend(Role.UNIT_LEADER, {P.VIEW, P.REPORT, P.LEAD, P.VERIFY}, write=True)
        extend(Role.LIAISON, {P.VIEW, P.REPORT}, write=True)
        extend(Role.SUPERVISOR, {P.VIEW, P.VERIFY}, write=True)
        extend(Role.INSPECTOR, {P.VIEW})
        extend(Role.VIEWER, {P.VIEW})
        register(
            NavItem(
                "selfcheck:round_list",
                _("Self-inspection"),
                perm=None,
                order=30,
                also=(
                    "selfcheck:report",
                    "selfcheck:heat_map",
                    "selfcheck:signals",
                    "selfcheck:meeting",
                ),
            )
        )
        register(
            NavItem(
                "selfcheck:ledger",
                _("Rectification ledger"),
                perm=P.VIEW,
                order=31,
                also=("selfcheck:measure", "selfcheck:evidence"),
            )
        )
