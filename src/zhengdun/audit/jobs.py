"""Daily check of the audit chain: administrators hear about a break the morning after."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhengdun.audit.chain import verify
from zhengdun.notify import tick
from zhengdun.notify.actions import send


@tick.register("audit.verify_chain")
def check_chain(today) -> int:
    _checked, broken = verify()
    if broken is None:
        return 0
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    sent = 0
    for admin in admins:
        sent += send(
            recipient=admin,
            kind="audit.chain_broken",
            title=_("The audit chain is broken"),
            body=str(broken),
            url="",
            dedupe_key=f"audit.chain_broken:{broken.seq}",
        )
    return sent
