from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class ZhengdunBackend(ModelBackend):
    """Django's backend, except that demo logins work only in demo mode."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if settings.DEMO_MODE:
            return True
        flags = getattr(user, "zhengdun_flags", None)
        return not (flags is not None and flags.is_demo)
