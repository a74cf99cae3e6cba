from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhengdun.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.org.roles import Perm

        register(NavItem("org:unit_list", _("Units"), perm=Perm.VIEW_ORG, order=10, icon="tree"))
        register(
            NavItem("org:person_list", _("People"), perm=Perm.VIEW_ORG, order=11, icon="people")
        )
        register(
            NavItem(
                "org:import", _("Import and export"), perm=Perm.IMPORT_ORG, order=12, icon="sheet"
            )
        )
