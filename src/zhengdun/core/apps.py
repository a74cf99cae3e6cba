from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhengdun.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register

        register(NavItem("core:home", _("Home"), perm=None, order=0, icon="home"))
