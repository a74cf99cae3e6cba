from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "zhengdun.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from zhengdun.core.nav import NavItem, register
        from zhengdun.notify import jobs  # noqa: F401  (tick job)

        register(NavItem("notify:inbox", _("Inbox"), perm=None, order=80, icon="inbox"))
