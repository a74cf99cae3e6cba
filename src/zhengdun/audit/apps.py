from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "zhengdun.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from zhengdun.audit import jobs  # noqa: F401  (registers the daily chain check)
        from zhengdun.core.nav import NavItem, register
        from zhengdun.org.roles import Perm

        register(
            NavItem("audit:event_list", _("Audit log"), perm=Perm.VIEW_AUDIT, order=90, icon="log")
        )
