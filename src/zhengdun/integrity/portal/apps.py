from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public reporting portal: its own URL namespace (/report/), base template and
    middleware, apart from the back office; no account."""

    name = "zhengdun.integrity.portal"
    label = "portal"
    verbose_name = _("Public reporting portal")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.integrity.portal import demo, jobs  # noqa: F401  (demo loader, tick jobs)
        from zhengdun.integrity.portal.permissions import PortalPerm
        from zhengdun.org.roles import Role, extend

        extend(Role.ADMIN, {PortalPerm.MANAGE}, write=True)
        extend(Role.OFFICE, {PortalPerm.MANAGE}, write=True)
        register(
            NavItem(
                "portal_office:page",
                _("Reporting portal"),
                perm=PortalPerm.MANAGE,
                order=70,
                also=("portal_office:",),
            )
        )
