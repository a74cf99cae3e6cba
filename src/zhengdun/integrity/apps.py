from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    """Clues from every channel, their verification and dispositions, and cases: need-to-know."""

    name = "zhengdun.integrity"
    label = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.integrity import demo, jobs  # noqa: F401  (tick jobs, demo loader)
        from zhengdun.integrity.permissions import IntegrityPerm as P
        from zhengdun.org.roles import Role, extend

        # Discipline inspectors register clues; on a root unit the role makes the discipline
        # head (permissions.is_head). Seeing a clue is need-to-know, never a role's right.
        extend(Role.INSPECTOR, {P.WORK, P.STATS})
        for role in (Role.ADMIN, Role.OFFICE, Role.UNIT_LEADER):
            extend(role, {P.STATS})
        register(
            NavItem(
                "integrity:clue_list",
                _("Clues"),
                perm=P.WORK,
                order=50,
                also=("integrity:clue", "integrity:case"),
            )
        )
        register(
            NavItem(
                "integrity:statistics",
                _("Clue statistics"),
                perm=P.STATS,
                order=51,
            )
        )
